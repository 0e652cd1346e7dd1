from django.db import transaction

from .models import Organisation, Person, new_calendar_token


def find_or_create_organisation(*, name: str, type: str, country: str) -> Organisation:
    """The organisation of this name (any case) and country, created if new.

    An existing organisation keeps its type: a registrant's choice does not re-classify it.
    """
    name = " ".join(name.split())
    existing = Organisation.objects.filter(name__iexact=name, country=country).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            name=name, country=country, defaults={"type": type}
        )
    return organisation


def find_or_create_person(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation | None,
    job_title: str = "",
    country: str = "",
) -> Person:
    """The one person with this email, created if new.

    Details of an existing person are only filled where empty: anyone can type an address into a
    public form, so a form must not overwrite what the person or organisers recorded.
    Saves: at most one Person row. Locks: none.
    """
    email = email.strip().lower()
    person = Person.objects.filter(email=email).first()
    if person is None:
        with transaction.atomic():
            person, _created = Person.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first_name.strip(),
                    "last_name": last_name.strip(),
                    "organisation": organisation,
                    "job_title": job_title.strip(),
                    "country": country,
                },
            )
        return person
    changed = []
    for field, value in (
        ("organisation", organisation),
        ("job_title", job_title.strip()),
        ("country", country),
    ):
        if value and not getattr(person, field):
            setattr(person, field, value)
            changed.append(field)
    if changed:
        person.save(update_fields=changed)
    return person


def renew_calendar_token(*, person: Person) -> Person:
    """Gives the person a new personal calendar address; the old one answers 404 at once.

    Saves: the person's ``calendar_token``. Locks: none. Queues: nothing; whoever asked for the
    renewal tells the person the new address (calendar applications must subscribe again).
    """
    with transaction.atomic():
        person.calendar_token = new_calendar_token()
        person.save(update_fields=["calendar_token"])
    return person

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from .models import Organisation, Person, new_calendar_token


def find_or_create_organisation(*, name: str, type: str, country: str) -> Organisation:
    """The organisation of this name (any case) and country, created if new.

    An existing organisation keeps its type: a registrant's choice does not re-classify it.
    """
    name = " ".join(name.split())
    # lower() on both sides, as the unique constraint compares names, so that its index serves.
    same_name = Exact(Lower("name"), Lower(Value(name)))
    existing = Organisation.objects.filter(same_name, country=country).first()
    if existing is not None:
        return existing
    # Made in a savepoint: when another registration makes the same organisation (in any case)
    # at the same moment, the unique constraint refuses this one and theirs is used.
    try:
        with transaction.atomic():
            return Organisation.objects.create(name=name, country=country, type=type)
    except IntegrityError:
        return Organisation.objects.get(same_name, country=country)


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
        # One INSERT in a savepoint (get_or_create would read again and nest a second one);
        # when the same address is registered at the same moment, the constraint refuses this
        # row and the other one is the person.
        try:
            with transaction.atomic():
                return Person.objects.create(
                    email=email,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    organisation=organisation,
                    job_title=job_title.strip(),
                    country=country,
                )
        except IntegrityError:
            return Person.objects.get(email=email)
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

"""The consents a registrant gives, and changes at any time from their own page: to appear in
photos, and to appear in the event's participant list.

Both are optional and default to no. The participant list shows the other confirmed attendees
only the name and organisation of those who agreed; badges say "No photos" for those who did not
(``templates/badges/badge.html``).
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet

from agenda.models import Event

from .enums import RegistrationStatus
from .models import AuditEntry, Registration

Actor = AbstractBaseUser | AnonymousUser | None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def change_consents(
    *,
    registration: Registration,
    photo_consent: bool,
    participant_list_consent: bool,
    actor: Actor,
) -> Registration:
    """Changes the attendee's consents; the change is recorded in the registration's history.

    Saves: the registration and, if anything changed, one audit entry. Locks: the registration's
    row. Queues: nothing.
    """
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        changes = []
        if current.photo_consent != photo_consent:
            changes.append(f"photos: {_yes_no(current.photo_consent)} → {_yes_no(photo_consent)}")
        if current.participant_list_consent != participant_list_consent:
            changes.append(
                f"participant list: {_yes_no(current.participant_list_consent)} → "
                f"{_yes_no(participant_list_consent)}"
            )
        if not changes:
            return current
        current.photo_consent = photo_consent
        current.participant_list_consent = participant_list_consent
        current.save(update_fields=["photo_consent", "participant_list_consent", "updated_at"])
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        AuditEntry.objects.create(
            registration=current,
            actor=user,
            actor_label=user.get_username() if user is not None else "attendee",
            action="consent_changed",
            from_status=current.status,
            to_status=current.status,
            reason="; ".join(changes),
        )
    return current


def participant_list(*, event: Event) -> QuerySet[Registration]:
    """The confirmed attendees of the event who agreed to be listed, by name (one query)."""
    return (
        Registration.objects.filter(
            event=event,
            status=RegistrationStatus.CONFIRMED,
            participant_list_consent=True,
            anonymised_at__isnull=True,
        )
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def may_see_participant_list(registration: Registration) -> bool:
    """Only confirmed attendees see who else comes, and only while the event keeps names."""
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.anonymised_at is None
        and registration.event.personal_data_anonymised_at is None
    )

"""Erasing one person across every event: on their confirmed request or by an organiser."""

import logging
import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import ApiToken, SessionSpeaker, Speaker
from members.models import Person
from registrations import services as registration_services
from registrations.enums import ACTIVE_STATUSES
from registrations.models import Invitation, OutboxEmail, Registration

from ..enums import ErasureSource, RequestStatus
from ..exceptions import ErasureRefused, PrivacyError
from ..models import DataRequest, ErasureLog
from .anonymise import (
    Counts,
    anonymise_registrations,
    delete_files_on_commit,
    delete_people,
    forget_event_files,
    scrub_admin_history,
    scrub_email_rows,
)

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


def check_erasable(*, person: Person) -> None:
    """Refuses a person whose account runs the site (administrators remove such accounts) and
    the stand-in of an anonymised registration, which names nobody."""
    if person.anonymised_at is not None:
        raise PrivacyError(_("This record is already anonymised."), code="already_anonymised")
    user = person.user
    if user is not None and (user.is_staff or user.is_superuser):
        raise ErasureRefused()


def _organiser(actor: Actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _erase_email_traces(*, email: str, now: datetime) -> Counts:
    """What is held under the address itself rather than under a person."""
    counts = Counts()
    if not email:
        return counts
    invitations = Invitation.objects.filter(email__iexact=email)
    counts.invitations = invitations.update(
        email="",
        note="",
        # Without its address an invitation would admit anyone with the code.
        revoked_at=Coalesce("revoked_at", now),
    )
    counts.emails = scrub_email_rows(
        OutboxEmail.objects.filter(registration__isnull=True, to__iexact=email)
    )
    requests = DataRequest.objects.filter(email__iexact=email)
    requests.filter(status__in=(RequestStatus.AWAITING, RequestStatus.READY)).update(
        status=RequestStatus.EXPIRED, completed_at=now
    )
    requests.update(email="", person=None)
    return counts


def _cancel_upcoming(*, person: Person, actor: Actor, now: datetime) -> None:
    """Frees the seats of events still to come, so that the waitlist moves up."""
    upcoming = Registration.objects.filter(
        person=person, status__in=ACTIVE_STATUSES, event__end__gt=now
    ).order_by("pk")
    for registration in upcoming:
        registration_services.cancel(registration=registration, actor=actor, reason="")


def _erase_speaker_profiles(*, person: Person) -> Counts:
    speakers = list(Speaker.objects.filter(person=person))
    photos = [speaker.photo.name for speaker in speakers if speaker.photo]
    delete_files_on_commit(photos)
    scrub_admin_history(Speaker, [speaker.pk for speaker in speakers])
    for speaker in speakers:
        # One by one, so that the agenda's signals forget the cached pages that named them.
        speaker.delete()
    return Counts(speakers=len(speakers), files=len(photos))


def _erase_account(*, person: Person) -> int:
    user = person.user
    if user is None:
        return 0
    ApiToken.objects.filter(user=user).delete()
    user.username = f"erased-{secrets.token_hex(8)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    scrub_admin_history(get_user_model(), [user.pk])
    return 1


def erase_person(
    *,
    person: Person,
    actor: Actor = None,
    source: str = ErasureSource.ORGANISER,
    now: datetime | None = None,
) -> ErasureLog:
    """Erases a person from every event, keeping the events' figures right.

    Their registrations for events still to come are cancelled first (seats go to the waitlist),
    then every registration is anonymised as retention does (``anonymise``); their speaker
    profiles (and photos), a non-staff account, invitations and emails sent to their address,
    the badge print runs and reports of their events (rebuilt from the anonymised data) and the
    person record go. The erasure record says when, why and how much, never whom; ``actor`` is
    the organiser, if an organiser did it.
    Saves: all of the above in one transaction. Queues: deleting the files after the commit.
    Locks: the person's row, then each upcoming event's row as ``cancel`` does.
    Raises ``ErasureRefused`` for a staff account, ``Busy`` when an event's lock is held.
    """
    now = now or timezone.now()
    check_erasable(person=person)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        check_erasable(person=person)
        email = person.email
        _cancel_upcoming(person=person, actor=actor, now=now)
        registrations = list(
            Registration.objects.filter(person=person).values_list("pk", "event_id")
        )
        counts, _people = anonymise_registrations(
            registration_ids=[pk for pk, _event in registrations],
            now=now,
            keep_featured_feedback=False,
        )
        event_ids = {event_id for _pk, event_id in registrations}
        counts.events = len(event_ids)
        # Reports list the speakers, and quote comments: made again without them.
        spoke_at = set(
            SessionSpeaker.objects.filter(speaker__person=person).values_list(
                "session__event_id", flat=True
            )
        )
        counts.files += forget_event_files(event_ids=event_ids | spoke_at, include_reports=True)
        counts.add(_erase_email_traces(email=email, now=now))
        counts.add(_erase_speaker_profiles(person=person))
        counts.accounts = _erase_account(person=person)
        counts.people = delete_people([person.pk])
        log = ErasureLog.objects.create(
            at=now, source=source, actor=_organiser(actor), counts=counts.as_dict()
        )
    logger.info("Erasure record %s written (%s)", log.pk, log.source)
    return log


def erase_email(
    *, email: str, actor: Actor = None, source: str = ErasureSource.REQUEST, now=None
) -> ErasureLog:
    """Erases what is held under an address that belongs to no person (e.g. an invitation)."""
    now = now or timezone.now()
    person = Person.objects.filter(email=email.strip().lower(), anonymised_at__isnull=True).first()
    if person is not None:
        return erase_person(person=person, actor=actor, source=source, now=now)
    with transaction.atomic():
        counts = _erase_email_traces(email=email.strip(), now=now)
        log = ErasureLog.objects.create(
            at=now, source=source, actor=_organiser(actor), counts=counts.as_dict()
        )
    logger.info("Erasure record %s written (%s)", log.pk, log.source)
    return log


def holds_data(*, email: str) -> bool:
    """Whether anything is held under this address: a person, or an invitation sent to it."""
    email = email.strip().lower()
    return (
        Person.objects.filter(email=email, anonymised_at__isnull=True).exists()
        or Invitation.objects.filter(email__iexact=email).exists()
    )

"""An attendee's calendar files: the invitation (RFC 5546) and the personal feed.

The invitation is one VEVENT for the event, sent as METHOD:REQUEST with the confirmation and
whenever the event's time, place or format changes, and as METHOD:CANCEL with STATUS:CANCELLED
when the event or the registration is cancelled. Its UID, ``registration-<pk>@<host>``, stays
the same for the life of the registration, so each message updates the entry the attendee's
calendar already holds. Its SEQUENCE is the event's revision (``Event.ical_sequence``) plus the
number of times this registration's own standing changed (cancelled, declined, registered
again, reopened, attendance changed), both of which only grow: every new message outranks the
ones before it.

The join link (URL and RFC 7986 CONFERENCE) is written only into the invitation and personal
feed of a confirmed online attendee. ORGANIZER is the network's mailbox; the attendee has
RSVP=FALSE, since the site reads no replies.
"""

from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Conference, vCalAddress

from agenda import ical
from agenda.enums import EventStatus
from agenda.models import PUBLIC_STATUSES, Event, SessionSpeaker
from members.models import Person

from .enums import AttendanceMode, EmailKind, PickStatus, RegistrationStatus
from .models import AuditEntry, Registration, SessionPick

REQUEST = "REQUEST"
CANCEL = "CANCEL"

# Audit actions after which the attendee's invitation stands differently than before.
REVISING_ACTIONS = ("cancelled", "declined", "registered_again", "reopened", "mode_changed")

_PARTSTAT = {
    RegistrationStatus.CONFIRMED: "ACCEPTED",
    RegistrationStatus.CANCELLED: "DECLINED",
    RegistrationStatus.DECLINED: "DECLINED",
    RegistrationStatus.WAITLISTED: "TENTATIVE",
}

# Emails that tell a confirmed attendee where they stand carry the invitation.
_REQUEST_KINDS = (
    EmailKind.CONFIRMATION,
    EmailKind.PROMOTED,
    EmailKind.APPROVED,
    EmailKind.CHANGED,
)
# Emails that end an attendance carry the cancellation, if an invitation was ever sent.
_CANCEL_KINDS = (EmailKind.CANCELLED, EmailKind.DECLINED, EmailKind.CHANGED)


def invitation_uid(registration: Registration) -> str:
    return f"registration-{registration.pk}@{ical.site_host()}"


def _audit_entries(registration: Registration, until: datetime | None):
    """The registration's audit entries, up to ``until`` (an email's writing) when given."""
    entries = AuditEntry.objects.filter(registration=registration)
    return entries if until is None else entries.filter(at__lte=until)


def invitation_sequence(registration: Registration, *, until: datetime | None = None) -> int:
    """The event's revision plus the registration's own revisions (up to ``until``)."""
    revisions = _audit_entries(registration, until).filter(action__in=REVISING_ACTIONS).count()
    return registration.event.ical_sequence + revisions


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address}")
    if name:
        organiser.params["CN"] = name
    return organiser


def attendee(registration: Registration) -> vCalAddress:
    person = registration.person
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.full_name
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = _PARTSTAT.get(registration.status, "NEEDS-ACTION")
    address.params["RSVP"] = "FALSE"
    return address


def joins_online(registration: Registration) -> bool:
    """The attendee may be given the join link: confirmed, online, and the event has one."""
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.mode == AttendanceMode.ONLINE
        and bool(registration.event.online_url)
    )


def _add_join_link(component, event: Event) -> None:
    # URL is the one place every application shows; CONFERENCE is where newer ones look.
    component.pop("URL", None)
    component.add("URL", event.online_url)
    component.add(
        "CONFERENCE",
        Conference(event.online_url, feature=["AUDIO", "VIDEO"], label=_("Join online")).to_uri(),
    )


def invitation_component(
    registration: Registration, *, method: str, stamp: datetime, sequence: int
):
    event = registration.event
    online = registration.mode == AttendanceMode.ONLINE
    component = ical.event_component(
        event, stamp=stamp, uid=invitation_uid(registration), sequence=sequence, online=online
    )
    component.add("ORGANIZER", organizer())
    component.add("ATTENDEE", attendee(registration))
    component.add("TRANSP", "OPAQUE")
    if method == CANCEL:
        component.pop("STATUS", None)
        component.add("STATUS", "CANCELLED")
    elif joins_online(registration):
        _add_join_link(component, event)
    return component


def invitation(
    registration: Registration,
    *,
    method: str = REQUEST,
    stamp: datetime | None = None,
    until: datetime | None = None,
) -> bytes:
    """The attendee's invitation (``REQUEST``) or its cancellation (``CANCEL``) as .ics bytes.

    ``until``: for a message written earlier (an outbox email rendered when sent), the moment
    it was written: its SEQUENCE counts the registration's revisions up to then, so that a
    message sent late never outranks one written after it.
    """
    event = registration.event
    file = ical.new_calendar(method=method)
    component = invitation_component(
        registration,
        method=method,
        stamp=stamp or timezone.now(),
        sequence=invitation_sequence(registration, until=until),
    )
    file.add(component, zone=event.timezone, moments=(event.start, event.end))
    return file.to_ical()


def invitation_attachment(
    registration: Registration, *, method: str, written_at: datetime | None = None
) -> dict:
    """An outbox attachment (``OutboxEmail.attachments``) carrying the invitation.

    ``written_at``: the writing of the email it goes with, when rendered later (its DTSTAMP,
    and the end of the revisions its SEQUENCE counts).
    """
    content = invitation(registration, method=method, stamp=written_at, until=written_at)
    return {
        "filename": "invite.ics" if method == REQUEST else "cancel.ics",
        "content": content.decode(),
        "mimetype": f"text/calendar; method={method}",
    }


def _ever_confirmed(registration: Registration, until: datetime | None) -> bool:
    return (
        _audit_entries(registration, until).filter(to_status=RegistrationStatus.CONFIRMED).exists()
    )


def email_attachments(
    *, registration: Registration, kind: str, written_at: datetime | None = None
) -> list[dict]:
    """What an email of ``kind`` carries: the invitation, its cancellation, or nothing.

    A confirmed attendee's status emails carry the REQUEST. Emails ending an attendance carry
    the CANCEL only if the person was ever confirmed, i.e. ever received the invitation.
    ``registration`` stands as it did when the email was written (``written_at``, for an email
    rendered when it is sent); the event is as it is now, so a cancelled event's invitation is
    no longer sent.
    """
    if registration.event.status not in PUBLIC_STATUSES:
        return []
    if registration.status == RegistrationStatus.CONFIRMED:
        if kind in _REQUEST_KINDS and registration.event.status != EventStatus.CANCELLED:
            return [invitation_attachment(registration, method=REQUEST, written_at=written_at)]
        return []
    if kind in _CANCEL_KINDS and _ever_confirmed(registration, written_at):
        return [invitation_attachment(registration, method=CANCEL, written_at=written_at)]
    return []


# --- the personal feed ---------------------------------------------------------------------------


def _feed_registrations(person: Person):
    return Registration.objects.filter(
        person=person,
        status=RegistrationStatus.CONFIRMED,
        event__status__in=PUBLIC_STATUSES,
    )


def _feed_picks(person: Person):
    return SessionPick.objects.filter(
        registration__person=person,
        registration__status=RegistrationStatus.CONFIRMED,
        registration__event__status__in=PUBLIC_STATUSES,
        status=PickStatus.CONFIRMED,
    )


def personal_feed_version(person: Person) -> str:
    """Everything the personal feed shows changes this string; two small queries, no build.

    Session picks carry no timestamp, so their keys and statuses are part of it.
    """
    registrations = list(
        _feed_registrations(person)
        .order_by("pk")
        .values_list("pk", "mode", "updated_at", "event__updated_at", "event__ical_sequence")
    )
    picks = list(_feed_picks(person).order_by("pk").values_list("pk", "session_id"))
    revisions = list(
        AuditEntry.objects.filter(
            registration__in=[row[0] for row in registrations], action__in=REVISING_ACTIONS
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    return repr((person.pk, registrations, picks, revisions))


def personal_feed(person: Person, *, stamp: datetime | None = None) -> bytes:
    """The person's confirmed events and confirmed session picks, join links included."""
    stamp = stamp or timezone.now()
    file = ical.new_calendar(
        method="PUBLISH",
        name=_("My events: EU Labour Mobility Practitioners' Network"),
        uid=f"person-calendar-{person.pk}@{ical.site_host()}",
        feed=True,
        zone=settings.TIME_ZONE,
    )
    registrations = list(
        _feed_registrations(person).select_related("event__venue", "person").order_by("pk")
    )
    for registration in registrations:
        event = registration.event
        component = invitation_component(
            registration,
            method=REQUEST,
            stamp=stamp,
            sequence=invitation_sequence(registration),
        )
        # A published feed has no organiser or attendees (RFC 5546 PUBLISH).
        for name in ("ORGANIZER", "ATTENDEE"):
            component.pop(name, None)
        file.add(component, zone=event.timezone, moments=(event.start, event.end))

    appearances = SessionSpeaker.objects.select_related("speaker__organisation")
    picks = (
        _feed_picks(person)
        .select_related(
            "registration__event__venue", "session__room", "session__track", "session__event"
        )
        .prefetch_related(Prefetch("session__appearances", queryset=appearances))
        .order_by("session__start", "pk")
    )
    for pick in picks:
        registration = pick.registration
        event = registration.event
        session = pick.session
        online = registration.mode == AttendanceMode.ONLINE
        component = ical.session_component(session, event=event, stamp=stamp, online=online)
        if joins_online(registration):
            _add_join_link(component, event)
        file.add(component, zone=event.timezone, moments=(session.start, session.end))
    return file.to_ical()

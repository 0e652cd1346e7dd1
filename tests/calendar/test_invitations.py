"""The attendee's invitation, its updates and cancellations, through the outbox."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agenda.enums import EventFormat, EventStatus
from registrations import services
from registrations.calendar import invitation_uid
from registrations.emails import render_email
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from registrations.mail import deliver
from registrations.models import OutboxEmail, Registration
from tests.calendar.conftest import parse_ics
from tests.factories import SessionFactory, VenueFactory
from tests.factories.registrations import open_event, registration_request

pytestmark = pytest.mark.django_db

JOIN_URL = "https://meet.example.org/forum-room-91c2"


def hybrid_event(**kwargs):
    kwargs.setdefault(
        "venue", VenueFactory(name="Egmont Palace", latitude="50.840000", longitude="4.356000")
    )
    # Calendar files count whole seconds: the event starts on the hour.
    start = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    kwargs.setdefault("start", start)
    return open_event(format=EventFormat.HYBRID, capacity_online=100, online_url=JOIN_URL, **kwargs)


def register(event, n=0, **overrides) -> Registration:
    return services.register(event=event, request=registration_request(n, **overrides)).registration


def attachments_of(registration: Registration, kind: str | None = None) -> list[dict]:
    emails = OutboxEmail.objects.filter(registration=registration).order_by("pk")
    if kind is not None:
        emails = emails.filter(kind=kind)
    return [attachment for email in emails for attachment in render_email(email).attachments]


def the_vevent(attachment: dict):
    calendar = parse_ics(attachment["content"].encode())
    [component] = calendar.walk("VEVENT")
    return calendar, component


# The invitation -------------------------------------------------------------------------------


def test_confirmation_carries_request_with_organizer_attendee_and_venue(icaljs):
    event = hybrid_event(title="Practitioners' Forum")
    registration = register(event, first_name="Ελένη", last_name="Παπαδοπούλου")

    [attachment] = attachments_of(registration, EmailKind.CONFIRMATION)
    calendar, component = the_vevent(attachment)
    parsed = icaljs(attachment["content"].encode())

    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(component["UID"]) == f"registration-{registration.pk}@events.example.org"
    assert component.start == event.start
    assert component.end == event.end
    assert parsed["calendar"]["method"] == "REQUEST"
    [vevent] = parsed["components"]
    assert vevent["summary"] == "Practitioners' Forum"
    assert vevent["sequence"] == 0
    assert vevent["status"] == "CONFIRMED"
    assert vevent["dtstart"]["tzid"] == "Europe/Brussels"
    assert vevent["dtstart"]["utc"] == event.start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert vevent["organizer"] == {
        "value": "mailto:events@example.org",
        "params": {"cn": "EU LMPN Events"},
    }
    assert vevent["attendees"] == [
        {
            "value": "mailto:ana0@example.org",
            "params": {
                "cn": "Ελένη Παπαδοπούλου",
                "cutype": "INDIVIDUAL",
                "role": "REQ-PARTICIPANT",
                "partstat": "ACCEPTED",
                "rsvp": "FALSE",
            },
        }
    ]
    assert vevent["location"].startswith("Egmont Palace, Rue de la Loi 42")
    assert vevent["geo"] == [50.84, 4.356]
    assert vevent["conferences"] == []
    assert JOIN_URL not in attachment["content"]


def test_online_attendee_invitation_has_join_link_as_url_and_conference(icaljs):
    event = hybrid_event()
    registration = register(event, mode=AttendanceMode.ONLINE)

    [attachment] = attachments_of(registration, EmailKind.CONFIRMATION)
    [vevent] = icaljs(attachment["content"].encode())["components"]

    assert vevent["url"] == JOIN_URL
    assert vevent["location"] == "Online"
    assert vevent["geo"] is None
    assert vevent["conferences"] == [
        {
            "value": JOIN_URL,
            "params": {"feature": "AUDIO,VIDEO", "label": "Join online"},
        }
    ]


def test_waitlisted_registration_gets_no_invitation():
    event = hybrid_event(capacity_in_person=1)
    register(event, 0)
    waitlisted = register(event, 1)

    assert waitlisted.status == RegistrationStatus.WAITLISTED
    assert attachments_of(waitlisted) == []


def test_invitation_uids_are_unique_per_registration():
    event = hybrid_event()
    first, second = register(event, 0), register(event, 1)

    uids = [str(the_vevent(attachments_of(r)[0])[1]["UID"]) for r in (first, second)]

    assert uids == [invitation_uid(first), invitation_uid(second)]
    assert uids[0] != uids[1]


def test_sent_email_attaches_the_invitation_as_text_calendar_request():
    registration = register(hybrid_event())
    email = OutboxEmail.objects.get(registration=registration)

    deliver(email.pk)

    message = message_from_bytes(mail.outbox[0].message().as_bytes())
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    assert b"METHOD:REQUEST" in part.get_payload(decode=True)


def test_self_service_download_is_the_same_invitation(client):
    registration = register(hybrid_event())
    [attachment] = attachments_of(registration)

    response = client.get(reverse("registrations:invitation", kwargs={"token": registration.token}))

    downloaded = the_vevent({"content": response.content.decode()})[1]
    emailed = the_vevent(attachment)[1]
    assert str(downloaded["UID"]) == str(emailed["UID"])
    assert downloaded["SEQUENCE"] == emailed["SEQUENCE"]
    assert downloaded.start == emailed.start


# Updates and cancellations --------------------------------------------------------------------


def test_time_change_sends_request_with_same_uid_and_raised_sequence(icaljs):
    event = hybrid_event()
    confirmed = register(event, 0)
    [original] = attachments_of(confirmed)
    new_start = event.start + timedelta(days=1, hours=1)

    event.start, event.end = new_start, new_start + timedelta(hours=8)
    event.save()

    [update] = attachments_of(confirmed, EmailKind.MESSAGE)
    parsed = icaljs(update["content"].encode())
    [vevent] = parsed["components"]
    assert parsed["calendar"]["method"] == "REQUEST"
    assert vevent["uid"] == the_vevent(original)[1]["UID"]
    assert vevent["sequence"] == 1
    assert vevent["dtstart"]["utc"] == new_start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert event.ical_sequence == 1


def test_update_goes_to_confirmed_registrants_only():
    event = hybrid_event(capacity_in_person=1)
    confirmed = register(event, 0)
    waitlisted = register(event, 1)

    event.venue = VenueFactory()
    event.save()

    assert len(attachments_of(confirmed, EmailKind.MESSAGE)) == 1
    assert attachments_of(waitlisted, EmailKind.MESSAGE) == []


def test_change_outside_the_calendar_entry_sends_nothing():
    event = hybrid_event()
    registration = register(event)

    event.title = "A better title"
    event.description = "More words."
    event.save()
    event.refresh_from_db()

    assert event.ical_sequence == 0
    assert attachments_of(registration, EmailKind.MESSAGE) == []


def test_event_cancelled_sends_cancel_with_status_cancelled(icaljs):
    event = hybrid_event()
    registration = register(event)

    event.status = EventStatus.CANCELLED
    event.save()

    [cancel] = attachments_of(registration, EmailKind.MESSAGE)
    parsed = icaljs(cancel["content"].encode())
    [vevent] = parsed["components"]
    assert cancel["mimetype"] == "text/calendar; method=CANCEL"
    assert parsed["calendar"]["method"] == "CANCEL"
    assert vevent["status"] == "CANCELLED"
    assert vevent["uid"] == invitation_uid(registration)
    assert vevent["sequence"] == 1


def test_attendee_cancel_sends_cancel_with_same_uid_and_higher_sequence(icaljs):
    event = hybrid_event()
    registration = register(event)

    services.cancel(registration=registration, actor=None)

    [cancel] = attachments_of(registration, EmailKind.CANCELLED)
    [vevent] = icaljs(cancel["content"].encode())["components"]
    assert vevent["status"] == "CANCELLED"
    assert vevent["uid"] == invitation_uid(registration)
    assert vevent["sequence"] == 1
    assert vevent["attendees"][0]["params"]["partstat"] == "DECLINED"


def test_leaving_the_waitlist_sends_no_cancel():
    event = hybrid_event(capacity_in_person=1)
    register(event, 0)
    waitlisted = register(event, 1)

    services.cancel(registration=waitlisted, actor=None)

    assert attachments_of(waitlisted) == []


def test_registering_again_after_cancel_outranks_the_cancel():
    event = hybrid_event()
    registration = register(event, 0)
    services.cancel(registration=registration, actor=None)

    again = register(event, 0)

    request = attachments_of(again, EmailKind.CONFIRMATION)[-1]
    assert again.pk == registration.pk
    assert the_vevent(request)[1]["SEQUENCE"] == 2


def test_moving_online_sends_a_request_with_the_join_link():
    event = hybrid_event()
    registration = register(event)

    services.change_mode(registration=registration, mode=AttendanceMode.ONLINE, actor=None)

    [update] = attachments_of(registration, EmailKind.CHANGED)
    component = the_vevent(update)[1]
    assert str(component["URL"]) == JOIN_URL
    assert component["SEQUENCE"] == 1


# The personal feed ----------------------------------------------------------------------------


def test_personal_feed_has_events_and_picked_sessions_with_join_link(client, icaljs):
    event = hybrid_event()
    session = SessionFactory(event=event, title="Workshop on skills", requires_signup=True)
    other = open_event(start=event.start + timedelta(days=10))
    registration = register(event, mode=AttendanceMode.ONLINE, session_ids=[session.pk])
    register(other)

    response = client.get(
        reverse(
            "registrations:personal-calendar",
            kwargs={"token": registration.person.calendar_token},
        )
    )
    parsed = icaljs(response.content)

    assert parsed["calendar"]["method"] == "PUBLISH"
    assert parsed["calendar"]["refresh_interval"] == "PT1H"
    by_summary = {c["summary"]: c for c in parsed["components"]}
    assert sorted(by_summary) == sorted([event.title, other.title, "Workshop on skills"])
    assert by_summary[event.title]["url"] == JOIN_URL
    assert by_summary["Workshop on skills"]["conferences"][0]["value"] == JOIN_URL
    assert by_summary[other.title]["conferences"] == []
    assert by_summary[event.title]["attendees"] == []
    assert b"mailto:" not in response.content

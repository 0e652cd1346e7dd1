"""What the attendee's own page and emails offer from this app: the join link, the certificate
and the survey."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.emails import queue_email, render_email
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from reports.templatetags.reports_links import join_url
from tests.factories import EventFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import SurveyFactory, SurveyResponseFactory, ended_event

pytestmark = pytest.mark.django_db

MEETING = "https://meet.example.org/room-1"


def manage(client, registration):
    return client.get(reverse("registrations:manage", kwargs={"token": registration.token}))


def upcoming_online_registration():
    start = timezone.now() + timedelta(days=3)
    event = EventFactory(online=True, start=start, end=start + timedelta(hours=2))
    return RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)


def test_personal_page_join_button_goes_through_the_site(client):
    registration = upcoming_online_registration()

    content = manage(client, registration).content.decode()

    assert f'href="/r/{registration.token}/join/"' in content
    assert MEETING not in content


def test_personal_page_before_the_end_offers_no_certificate_and_asks_nothing(client):
    registration = upcoming_online_registration()

    with CaptureQueriesContext(connection) as queries:
        content = manage(client, registration).content.decode()

    assert "After the event" not in content
    assert not any("reports_" in query["sql"] for query in queries)


def test_personal_page_after_the_event_offers_the_certificate_and_the_survey(client):
    event = ended_event()
    registration = RegistrationFactory(event=event)
    CheckInFactory(registration=registration, at=event.start)
    response = SurveyResponseFactory(survey=SurveyFactory(event=event), registration=registration)

    content = manage(client, registration).content.decode()

    assert "After the event" in content
    assert f'href="/r/{registration.token}/certificate.pdf"' in content
    assert f'href="/feedback/{response.token}/"' in content
    assert "Give your feedback" in content


def test_personal_page_after_the_event_no_longer_offers_the_badge_or_the_meeting(client):
    event = ended_event()
    event.online_url = MEETING
    event.save()
    in_person = RegistrationFactory(event=event, mode=AttendanceMode.IN_PERSON)
    online = RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)

    in_person_page = manage(client, in_person).content.decode()
    online_page = manage(client, online).content.decode()

    assert "badge.pdf" not in in_person_page
    assert "/join/" not in online_page
    assert "We look forward to seeing you" not in in_person_page + online_page


def test_personal_page_before_the_event_offers_the_badge(client):
    start = timezone.now() + timedelta(days=3)
    event = EventFactory(start=start, end=start + timedelta(hours=2))
    registration = RegistrationFactory(event=event, mode=AttendanceMode.IN_PERSON)

    content = manage(client, registration).content.decode()

    assert f'href="/registration/{registration.token}/badge.pdf"' in content


def test_personal_page_after_answering_offers_to_change_the_feedback(client):
    event = ended_event()
    registration = RegistrationFactory(event=event)
    CheckInFactory(registration=registration, at=event.start)
    SurveyResponseFactory(
        survey=SurveyFactory(event=event), registration=registration, submitted_at=timezone.now()
    )

    assert "Change your feedback" in manage(client, registration).content.decode()


def test_personal_page_after_the_event_without_attending_says_why_no_certificate(client):
    registration = RegistrationFactory(event=ended_event())

    content = manage(client, registration).content.decode()

    assert "Our records do not show that you attended this event" in content
    assert "certificate.pdf" not in content


def test_personal_page_of_a_cancelled_registration_shows_nothing_after_the_event(client):
    registration = RegistrationFactory(event=ended_event(), status=RegistrationStatus.CANCELLED)

    assert "After the event" not in manage(client, registration).content.decode()


@pytest.mark.parametrize("kind", [EmailKind.CONFIRMATION, EmailKind.REMINDER])
def test_emails_give_online_attendees_the_sites_join_link(kind):
    registration = upcoming_online_registration()

    rendered = render_email(queue_email(registration=registration, kind=kind))

    link = join_url(registration)
    assert link.endswith(f"/r/{registration.token}/join/")
    assert f"Join online: {link}" in rendered.body_text
    assert f'href="{link}"' in rendered.body_html
    assert MEETING not in rendered.body_text + rendered.body_html


def test_emails_give_in_person_attendees_no_join_link():
    start = timezone.now() + timedelta(days=3)
    registration = RegistrationFactory(
        event=EventFactory(start=start, end=start + timedelta(hours=2))
    )

    rendered = render_email(queue_email(registration=registration, kind=EmailKind.CONFIRMATION))

    assert "/join/" not in rendered.body_text

"""Certificates of attendance: what they say, and who is refused one."""

import io
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agenda.enums import EventFormat, EventStatus
from registrations.enums import AttendanceMode, RegistrationStatus
from reports.certificates import (
    certificate_reference,
    hours_label,
    registration_of_reference,
)
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SessionFactory,
    VenueFactory,
)
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import AttendanceMarkFactory, OnlineJoinFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def url(registration) -> str:
    return reverse("reports:certificate", kwargs={"token": registration.token})


@pytest.fixture
def conference():
    """19–20 November 2024 in Brussels, long over."""
    return EventFactory(
        title="Moving Talents: Scaling up Action in Key Sectors",
        theme="Talent Partnerships",
        start=datetime(2024, 11, 19, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2024, 11, 20, 13, 0, tzinfo=BRUSSELS),
        venue=VenueFactory(name="Residence Palace", city="Brussels", country="BE"),
        format=EventFormat.HYBRID,
        capacity_online=50,
    )


def attendee(event, **kwargs):
    if "person" not in kwargs:
        kwargs["person"] = PersonFactory(
            first_name="Ana", last_name="Novak", organisation=OrganisationFactory(name="Ministry")
        )
    registration = RegistrationFactory(event=event, **kwargs)
    CheckInFactory(registration=registration, at=event.start)
    return registration


def test_certificate_says_who_attended_what_when_where_and_how_long(client, conference):
    registration = attendee(conference)

    response = client.get(url(registration))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="certificate-')
    text = pdf_text(response.content)
    assert "Certificate of attendance" in text
    assert "Ana Novak" in text
    assert "Ministry" in text
    assert "Moving Talents: Scaling up Action in Key Sectors" in text
    assert "Talent Partnerships" in text
    assert "19 November 2024 – 20 November 2024 · Residence Palace, Brussels (Belgium)" in text
    # No sessions: 8 hours on the first day (09:00–24:00, capped), 13 on the second.
    assert "Hours attended: 16 hours" in text
    assert f"Issued on {timezone.localdate(timezone=BRUSSELS):%-d %B %Y}" in text
    assert certificate_reference(registration) in text


def test_certificate_is_one_a4_landscape_page(client, conference):
    response = client.get(url(attendee(conference)))

    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 1
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_certificate_of_an_online_attendee_says_online(client, conference):
    registration = RegistrationFactory(event=conference, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=registration, joined_at=conference.start)

    text = pdf_text(client.get(url(registration)).content)

    assert "20 November 2024 · online" in text
    assert "Residence Palace" not in text
    assert "Hours attended: 8 hours" in text  # joined on the first day only


def test_certificate_counts_hours_of_sessions_attended(client, conference):
    registration = attendee(conference)
    start = conference.start
    SessionFactory(event=conference, start=start, end=start + timedelta(hours=1, minutes=30))
    SessionFactory(
        event=conference, start=start + timedelta(hours=2), end=start + timedelta(hours=3)
    )

    text = pdf_text(client.get(url(registration)).content)

    assert "Hours attended: 2.5 hours" in text


def test_certificate_dates_are_in_the_events_time_zone(client):
    # 23:30 in New York is already the next day in UTC.
    new_york = ZoneInfo("America/New_York")
    event = EventFactory(
        start=datetime(2024, 11, 19, 18, 0, tzinfo=new_york),
        end=datetime(2024, 11, 19, 23, 30, tzinfo=new_york),
        timezone="America/New_York",
    )

    text = pdf_text(client.get(url(attendee(event))).content)

    assert "19 November 2024 ·" in text
    assert "20 November 2024" not in text


def test_certificate_is_in_the_registrants_language(client, conference):
    registration = attendee(conference, language="fr")

    text = pdf_text(client.get(url(registration)).content)

    assert "19 novembre 2024 – 20 novembre 2024" in text
    assert "Belgique" in text


# --- refusals ------------------------------------------------------------------------------------


def test_certificate_is_refused_before_the_event_ends(client):
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=2), end=now + timedelta(hours=1))
    registration = attendee(event)

    response = client.get(url(registration))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Your certificate is not ready yet" in response.content.decode()


def test_certificate_is_refused_to_someone_who_did_not_attend(client, conference):
    registration = RegistrationFactory(event=conference)

    response = client.get(url(registration))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Our records do not show that you attended this event" in response.content.decode()


def test_certificate_is_refused_to_someone_marked_absent(client, conference):
    registration = attendee(conference)
    AttendanceMarkFactory(registration=registration, attended=False)

    assert client.get(url(registration)).status_code == 403


def test_certificate_is_given_to_someone_marked_attended(client, conference):
    registration = RegistrationFactory(event=conference)
    AttendanceMarkFactory(registration=registration, attended=True)

    assert client.get(url(registration)).status_code == 200


@pytest.mark.parametrize("status", [RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED])
def test_certificate_is_refused_to_a_registration_not_confirmed(client, conference, status):
    registration = attendee(conference, status=status)

    response = client.get(url(registration))

    assert response.status_code == 403
    assert "Certificates are for confirmed attendees" in response.content.decode()


def test_certificate_of_a_cancelled_event_is_refused(client, conference):
    registration = attendee(conference)
    conference.status = EventStatus.CANCELLED
    conference.save()

    assert client.get(url(registration)).status_code == 403


def test_certificate_with_a_wrong_token_is_404(client, conference):
    attendee(conference)

    response = client.get(reverse("reports:certificate", kwargs={"token": "not-a-token"}))

    assert response.status_code == 404


def test_certificate_refusal_keeps_the_page_private(client, conference):
    response = client.get(url(RegistrationFactory(event=conference)))

    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "strict-origin"


# --- references ----------------------------------------------------------------------------------


def test_certificate_reference_names_its_registration(conference):
    registration = attendee(conference)

    assert registration_of_reference(certificate_reference(registration)) == registration
    assert registration_of_reference(f" {certificate_reference(registration).lower()} ") == (
        registration
    )


def test_certificate_reference_forged_or_altered_is_not_recognised(conference):
    registration = attendee(conference)
    other = attendee(conference, person=PersonFactory())
    event_id, _registration_id, signature = certificate_reference(registration).split("-")

    assert registration_of_reference(f"{event_id}-{other.pk}-{signature}") is None
    assert registration_of_reference(f"{event_id}-{registration.pk}-AAAAAAAA") is None
    assert registration_of_reference("nonsense") is None


@pytest.mark.parametrize(
    ("hours", "label"),
    [(0, ""), (1, "1 hour"), (2.5, "2.5 hours"), (6.26, "6.25 hours"), (7.9, "8 hours")],
)
def test_hours_label_rounds_to_quarters(hours, label):
    assert hours_label(hours) == label

"""The badge API: an attendee's own badge PDF, organisers' badge reads, PDFs and re-issues, and
badge print runs; who may call each, and at which events."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from badges.models import Badge, PrintRun, PrintRunStatus
from registrations.enums import AttendanceMode, RegistrationStatus
from tests.badges.conftest import scan
from tests.badges.test_pdf import pdf_text
from tests.factories import EventFactory, PersonFactory
from tests.factories.badges import BadgeFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.tokens import api_token

pytestmark = pytest.mark.django_db


def own_badge_url(registration) -> str:
    return f"/api/v1/registrations/{registration.token}/badge.pdf"


def badge_url(registration, suffix: str = "badge/") -> str:
    return f"/api/v1/organiser/registrations/{registration.pk}/{suffix}"


def print_runs_url(event) -> str:
    return f"/api/v1/events/{event.slug}/print-runs/"


def token_client(user, events) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user, events)}")
    return client


@pytest.fixture
def organiser_api(organiser, event) -> APIClient:
    """The organiser's API token, limited to the event."""
    return token_client(organiser, [event])


@pytest.fixture
def registration(badge):
    return badge.registration


def staff(username: str, *codenames: str):
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="badges", codename__in=codenames)
    )
    return user


# --- the attendee's own badge --------------------------------------------------------------------


def test_own_badge_pdf_is_the_attendees_badge(client, registration):
    response = client.get(own_badge_url(registration))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Ana" in text
    assert "Novak" in text
    assert "Ministry of Labour" in text


def test_own_badge_pdf_uses_the_valid_badge_and_writes_nothing(client, registration, badge):
    client.get(own_badge_url(registration))

    assert list(Badge.objects.values_list("pk", "revoked_at")) == [(badge.pk, None)]


def test_own_badge_pdf_issues_a_badge_when_there_is_none(client, event, person):
    registration = RegistrationFactory(event=event, person=person)

    response = client.get(own_badge_url(registration))

    assert response.status_code == 200
    assert Badge.objects.filter(registration=registration, revoked_at__isnull=True).count() == 1


def test_own_badge_pdf_of_online_attendee_is_json_403(client, event, person):
    registration = RegistrationFactory(event=event, person=person, mode=AttendanceMode.ONLINE)

    response = client.get(own_badge_url(registration))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "no_badge"
    assert error["message"].startswith("You attend online")
    assert Badge.objects.filter(registration=registration).count() == 0


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED],
)
def test_own_badge_pdf_unless_confirmed_is_json_403(client, event, person, status):
    registration = RegistrationFactory(
        event=event,
        person=person,
        status=status,
        waitlisted_at=event.start if status == RegistrationStatus.WAITLISTED else None,
    )

    response = client.get(own_badge_url(registration))

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "no_badge"
    assert error["message"].startswith("Badges are for confirmed attendees")
    assert Badge.objects.filter(registration=registration).count() == 0


def test_own_badge_pdf_of_unknown_token_is_404(client, registration):
    response = client.get(f"/api/v1/registrations/{registration.token[:-2]}xx/badge.pdf")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_own_badge_pdf_answers_json_errors_to_a_client_asking_for_pdf(client, registration):
    response = client.get("/api/v1/registrations/unknown/badge.pdf", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_own_badge_pdf_shares_the_own_registration_rate_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "registration_token": "2/minute",
        },
    }
    client.get("/api/v1/registrations/unknown-1/")
    client.get("/api/v1/registrations/unknown-2/badge.pdf")

    response = client.get("/api/v1/registrations/unknown-3/badge.pdf")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


# --- organisers: a registration's badge ----------------------------------------------------------


def test_organiser_badge_shows_the_current_badge_without_its_code(organiser_api, registration):
    response = organiser_api.get(badge_url(registration))

    assert response.status_code == 200
    body = response.json()
    badge = registration.badges.get()
    assert body == {
        "registration": registration.pk,
        "event": "moving-talents",
        "role": "attendee",
        "role_label": "Attendee",
        "issued_at": body["issued_at"],
        "revoked_at": None,
        "revoke_reason": "",
        "declined_photos": True,
        "pdf": f"http://testserver/api/v1/organiser/registrations/{registration.pk}/badge.pdf",
    }
    assert badge.code not in response.content.decode()


def test_organiser_badge_says_whether_photos_were_declined(organiser_api, registration):
    registration.photo_consent = True
    registration.save()

    body = organiser_api.get(badge_url(registration)).json()

    assert body["declined_photos"] is False


def test_organiser_badge_of_registration_without_badge_is_404(organiser_api, event):
    registration = RegistrationFactory(event=event)

    response = organiser_api.get(badge_url(registration))

    assert response.status_code == 404
    assert Badge.objects.filter(registration=registration).count() == 0


def test_organiser_badge_pdf_is_the_attendees_badge(organiser_api, registration):
    response = organiser_api.get(badge_url(registration, "badge.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Novak" in text
    assert "Ministry of Labour" in text


def test_organiser_badge_pdf_of_unconfirmed_registration_is_409(organiser_api, event):
    registration = RegistrationFactory(event=event, status=RegistrationStatus.PENDING)

    response = organiser_api.get(badge_url(registration, "badge.pdf"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "badge_not_available"


def test_organiser_reissue_revokes_the_old_code_at_once(
    organiser_api, client_of_device, event, registration, badge
):
    response = organiser_api.post(badge_url(registration, "badge/reissue/"))

    assert response.status_code == 200
    new = Badge.objects.get(registration=registration, revoked_at__isnull=True)
    assert new.code != badge.code
    assert response.json()["revoked_at"] is None
    assert new.code not in response.content.decode()
    badge.refresh_from_db()
    assert badge.revoke_reason == "reissued"
    old_scan = scan(client_of_device, event, badge.code).json()
    assert (old_scan["result"], old_scan["revoke_reason"]) == ("revoked", "reissued")
    assert scan(client_of_device, event, new.code).json()["result"] == "checked_in"


def test_organiser_reissue_keeps_the_role_and_records_who(organiser_api, organiser, event, caplog):
    speaker_badge = BadgeFactory(registration__event=event, role="speaker")

    with caplog.at_level(logging.INFO, logger="badges.services"):
        response = organiser_api.post(badge_url(speaker_badge.registration, "badge/reissue/"))

    assert response.json()["role"] == "speaker"
    messages = [r.getMessage() for r in caplog.records if r.name == "badges.services"]
    assert messages == [
        f"Badge of registration {speaker_badge.registration.pk} re-issued by {organiser.pk}"
    ]


def test_organiser_reissue_then_read_shows_the_new_badge(organiser_api, registration, badge):
    reissued = organiser_api.post(badge_url(registration, "badge/reissue/")).json()

    read = organiser_api.get(badge_url(registration)).json()

    assert read == reissued
    assert Badge.objects.filter(registration=registration).count() == 2


def test_organiser_badge_shows_a_revoked_badge_and_why(organiser_api, registration, badge):
    Badge.objects.filter(pk=badge.pk).update(revoked_at=timezone.now(), revoke_reason="cancelled")

    body = organiser_api.get(badge_url(registration)).json()

    assert body["revoked_at"] is not None
    assert body["revoke_reason"] == "cancelled"


def test_organiser_reissue_of_unconfirmed_registration_is_409(organiser_api, event, badge):
    registration = badge.registration
    registration.status = RegistrationStatus.CANCELLED
    registration.save()

    response = organiser_api.post(badge_url(registration, "badge/reissue/"))

    assert response.status_code == 409
    assert Badge.objects.get(pk=badge.pk).revoked_at is None


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", "badge/"), ("get", "badge.pdf"), ("post", "badge/reissue/")],
)
def test_organiser_badge_of_another_event_is_404_and_writes_nothing(
    organiser, badge, method, suffix
):
    client = token_client(organiser, [EventFactory(slug="another-event")])
    other = RegistrationFactory(event=badge.event, person=PersonFactory())

    response = getattr(client, method)(badge_url(other, suffix))

    assert response.status_code == 404
    assert Badge.objects.count() == 1
    assert Badge.objects.get().revoked_at is None


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", "badge/"), ("get", "badge.pdf"), ("post", "badge/reissue/")],
)
def test_organiser_badge_endpoints_refuse_a_device(client_of_device, registration, method, suffix):
    response = getattr(client_of_device, method)(badge_url(registration, suffix))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert Badge.objects.filter(registration=registration).count() == 1


def test_organiser_badge_refused_to_staff_without_badge_permission(registration, event):
    client = token_client(staff("no-badges"), [event])

    response = client.get(badge_url(registration))

    assert response.status_code == 403


def test_organiser_reissue_needs_the_change_permission(registration, event, badge):
    client = token_client(staff("badge-reader", "view_badge"), [event])

    read = client.get(badge_url(registration))
    reissued = client.post(badge_url(registration, "badge/reissue/"))

    assert (read.status_code, reissued.status_code) == (200, 403)
    assert Badge.objects.get(pk=badge.pk).revoked_at is None


def test_organiser_reissue_by_session_needs_the_csrf_token(organiser, registration, badge):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(badge_url(registration, "badge/reissue/"))

    assert response.status_code == 403
    assert Badge.objects.get(pk=badge.pk).revoked_at is None


def test_organiser_badge_by_session(organiser_client, registration):
    response = organiser_client.get(badge_url(registration))

    assert response.status_code == 200


# --- print runs ----------------------------------------------------------------------------------


@pytest.fixture
def attendees(event):
    for first, last in (("Zoe", "Zupan"), ("Ben", "Berg"), ("Mia", "Kranjc")):
        RegistrationFactory(event=event, person=PersonFactory(first_name=first, last_name=last))
    RegistrationFactory(
        event=event,
        person=PersonFactory(first_name="Olga", last_name="Online"),
        mode=AttendanceMode.ONLINE,
    )


def test_print_run_post_starts_a_run_and_answers_202(
    organiser_api, organiser, event, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = organiser_api.post(
            print_runs_url(event), {"roles": ["attendee"], "name_to": "m"}, format="json"
        )

    assert response.status_code == 202
    print_run = PrintRun.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["event"], body["file"]) == (
        print_run.pk,
        "queued",
        "moving-talents",
        None,
    )
    assert print_run.filters == {
        "roles": ["attendee"],
        "organisation_types": [],
        "name_from": "",
        "name_to": "M",
    }
    assert body["filters"] == print_run.filters
    assert print_run.requested_by == organiser
    assert len(callbacks) == 1


def test_print_run_made_links_its_file_which_holds_the_badges(
    organiser_api, event, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = organiser_api.post(print_runs_url(event), {}, format="json").json()

    followed = organiser_api.get(f"{print_runs_url(event)}{started['id']}/")
    body = followed.json()
    assert followed.status_code == 200
    file_url = f"http://testserver{print_runs_url(event)}{started['id']}/file/"
    assert (body["status"], body["done"], body["total"], body["percent"]) == ("done", 3, 3, 100)
    assert body["file"] == file_url
    download = organiser_api.get(file_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert [name in text for name in ("Berg", "Kranjc", "Zupan", "Online")] == [True] * 3 + [False]


def test_print_run_file_before_it_is_made_is_404(organiser_api, event):
    print_run = PrintRun.objects.create(event=event)

    response = organiser_api.get(f"{print_runs_url(event)}{print_run.pk}/file/")

    assert response.status_code == 404


def test_print_run_refuses_a_backwards_name_range(organiser_api, event):
    response = organiser_api.post(
        print_runs_url(event), {"name_from": "T", "name_to": "C"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name_to"]
    assert PrintRun.objects.count() == 0


@pytest.mark.parametrize("letter", ["1", "é", "-"])
def test_print_run_refuses_a_name_range_that_is_not_a_letter(organiser_api, event, letter):
    response = organiser_api.post(print_runs_url(event), {"name_from": letter}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name_from"]
    assert PrintRun.objects.count() == 0


def test_print_run_refuses_an_unknown_role(organiser_api, event):
    response = organiser_api.post(print_runs_url(event), {"roles": ["chef"]}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["roles.0"]


def test_print_run_of_another_event_is_404_and_writes_nothing(organiser, event):
    client = token_client(organiser, [EventFactory(slug="another-event")])
    print_run = PrintRun.objects.create(event=event, status=PrintRunStatus.DONE)

    started = client.post(print_runs_url(event), {}, format="json")
    followed = client.get(f"{print_runs_url(event)}{print_run.pk}/")
    downloaded = client.get(f"{print_runs_url(event)}{print_run.pk}/file/")

    assert (started.status_code, followed.status_code, downloaded.status_code) == (404, 404, 404)
    assert PrintRun.objects.count() == 1


def test_print_run_named_under_another_events_slug_is_404(organiser, event):
    other = EventFactory(slug="another-event")
    client = token_client(organiser, [event, other])
    print_run = PrintRun.objects.create(event=event)

    response = client.get(f"{print_runs_url(other)}{print_run.pk}/")

    assert response.status_code == 404


def test_print_run_refuses_a_device(client_of_device, event):
    response = client_of_device.post(print_runs_url(event), {}, format="json")

    assert response.status_code == 401
    assert PrintRun.objects.count() == 0


def test_print_run_refused_to_staff_without_the_print_permission(event):
    client = token_client(staff("badge-viewer", "view_badge", "change_badge"), [event])

    response = client.post(print_runs_url(event), {}, format="json")

    assert response.status_code == 403
    assert PrintRun.objects.count() == 0

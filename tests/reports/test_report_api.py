"""The report API and the report's admin pages: who may ask, follow and download, and how."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.models import ApiToken, Event
from reports.building import build_report, request_report
from reports.enums import ReportStatus
from reports.models import Report
from tests.factories import EventFactory, SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import ended_event
from tests.factories.tokens import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = ended_event(slug="green-skills-forum", title="Green Skills Forum")
    SessionFactory(event=event)
    for registration in RegistrationFactory.create_batch(2, event=event):
        CheckInFactory(registration=registration)
    return event


@pytest.fixture
def built(event) -> Report:
    report = request_report(event=event)
    return build_report(report_id=report.pk, attempt=report.attempt)


@pytest.fixture
def api(organiser) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(organiser, all_events=True)}")
    return client


def staff(username: str, *codenames: str):
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
    )
    return user


def url(event: Event, kind: str = "") -> str:
    return f"/api/v1/events/{event.slug}/report/" + (f"{kind}/" if kind else "")


# --- the API -------------------------------------------------------------------------------------


def test_api_post_asks_for_the_report_and_answers_202(
    api, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        answer = api.post(url(event))

    assert answer.status_code == 202
    body = answer.json()
    assert (body["event"], body["status"], body["attempt"], body["pdf"]) == (
        "green-skills-forum",
        "queued",
        1,
        None,
    )
    assert len(callbacks) == 1


def test_api_get_after_the_build_links_both_files(api, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(url(event))

    body = api.get(url(event)).json()
    pdf = api.get(body["pdf"])

    assert (body["status"], body["percent"], body["error"]) == ("done", 100, "")
    assert body["pdf"] == f"http://testserver{url(event, 'pdf')}"
    assert body["xlsx"] == f"http://testserver{url(event, 'xlsx')}"
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="report-green-skills-forum.pdf"'
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_api_get_without_a_report_answers_404(api, event):
    answer = api.get(url(event))

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "No report has been asked for this event yet."


def test_api_file_not_made_yet_answers_404(api, event):
    request_report(event=event)

    assert api.get(url(event, "pdf")).status_code == 404
    assert api.get(url(event, "docx")).status_code == 404


def test_api_post_before_the_event_starts_answers_409(api):
    upcoming = EventFactory(slug="next-year")

    answer = api.post(url(upcoming))

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "event_not_started"
    assert Report.objects.exists() is False


def test_api_refuses_anonymous_callers_with_401(event, built):
    client = APIClient()

    assert client.get(url(event)).status_code == 401
    assert client.post(url(event)).status_code == 401
    assert client.get(url(event, "pdf")).status_code == 401


def test_api_refuses_staff_without_the_permission_with_403(event, built):
    client = APIClient()
    client.force_authenticate(staff("helper"))

    assert client.get(url(event)).status_code == 403
    assert client.get(url(event, "xlsx")).status_code == 403


def test_api_post_needs_the_permission_to_add_reports(event, built):
    client = APIClient()
    client.force_authenticate(staff("reader", "view_report"))

    assert client.get(url(event)).status_code == 200
    assert client.post(url(event)).status_code == 403
    assert Report.objects.get(event=event).attempt == 1


def test_api_session_post_needs_the_csrf_token(organiser, event):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(organiser)

    answer = client.post(url(event))

    assert answer.status_code == 403
    assert Report.objects.exists() is False


def test_api_get_status_queries(api, event, built, django_assert_num_queries):
    # Used just now, so that the request does not also note when the token was last used.
    ApiToken.objects.update(last_used_at=timezone.now())
    # The token with its user, the user's and the group's permissions, the event with its report.
    with django_assert_num_queries(4):
        answer = api.get(url(event))

    assert answer.status_code == 200


# --- the admin -----------------------------------------------------------------------------------


def test_admin_report_page_shows_the_files(organiser_client, event, built):
    page = organiser_client.get(reverse("admin:reports_report_event", args=[event.slug]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Download the PDF" in content
    assert reverse("admin:reports_report_file", args=[event.slug, "xlsx"]) in content


def test_admin_report_page_post_asks_again(
    organiser_client, event, built, django_capture_on_commit_callbacks
):
    page_url = reverse("admin:reports_report_event", args=[event.slug])

    with django_capture_on_commit_callbacks() as callbacks:
        answer = organiser_client.post(page_url)

    assert (answer.status_code, answer["Location"]) == (302, page_url)
    report = Report.objects.get(event=event)
    assert (report.attempt, report.status) == (2, ReportStatus.QUEUED)
    assert len(callbacks) == 1


def test_admin_report_status_is_small_json(organiser_client, event, built):
    answer = organiser_client.get(reverse("admin:reports_report_status", args=[event.slug]))

    assert answer.json() == {
        "status": "done",
        "status_label": "Done",
        "stage": "",
        "percent": 100,
        "attempt": 1,
        "active": False,
        "error": "",
        "finished_at": built.finished_at.isoformat(),
        "pdf": reverse("admin:reports_report_file", args=[event.slug, "pdf"]),
        "xlsx": reverse("admin:reports_report_file", args=[event.slug, "xlsx"]),
    }


def test_admin_report_status_queries(organiser_client, event, built, django_assert_num_queries):
    status_url = reverse("admin:reports_report_status", args=[event.slug])
    organiser_client.get(status_url)

    # Session, user, the user's and the group's permissions, the event with its report.
    with django_assert_num_queries(5):
        organiser_client.get(status_url)


def test_admin_report_file_downloads_the_workbook(organiser_client, event, built):
    answer = organiser_client.get(reverse("admin:reports_report_file", args=[event.slug, "xlsx"]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert b"".join(answer.streaming_content)[:2] == b"PK"


def test_admin_report_pages_refuse_staff_without_the_permission(client, event, built):
    client.force_login(staff("helper"))

    for name, args in (
        ("admin:reports_report_event", [event.slug]),
        ("admin:reports_report_status", [event.slug]),
        ("admin:reports_report_file", [event.slug, "pdf"]),
        ("admin:reports_report_dashboard", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_admin_report_pages_send_anonymous_visitors_to_sign_in(client, event, built):
    answer = client.get(reverse("admin:reports_report_event", args=[event.slug]))

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


def test_admin_event_action_asks_for_the_report_and_opens_its_page(
    organiser_client, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        answer = organiser_client.post(
            reverse("admin:agenda_event_changelist"),
            {"action": "make_post_event_report", "_selected_action": [event.pk]},
        )

    assert answer.status_code == 302
    assert answer["Location"] == reverse("admin:reports_report_event", args=[event.slug])
    assert Report.objects.get(event=event).status == ReportStatus.QUEUED


def test_admin_add_report_asks_which_event(
    organiser_client, event, django_capture_on_commit_callbacks
):
    add_url = reverse("admin:reports_report_add")

    form = organiser_client.get(add_url)
    with django_capture_on_commit_callbacks():
        answer = organiser_client.post(add_url, {"event": event.pk})

    assert form.status_code == 200
    assert "Green Skills Forum" in form.content.decode()
    assert answer["Location"] == reverse("admin:reports_report_event", args=[event.slug])
    assert Report.objects.get(event=event).attempt == 1


def test_admin_add_report_refuses_an_event_not_started(organiser_client):
    upcoming = EventFactory(title="Next Year's Forum")

    answer = organiser_client.post(reverse("admin:reports_report_add"), {"event": upcoming.pk})

    assert answer.status_code == 200
    assert "Select a valid choice" in answer.content.decode()
    assert Report.objects.exists() is False


def test_admin_report_list_queries(organiser_client, django_assert_num_queries):
    for n in range(3):
        event = ended_event(title=f"Forum {n}")
        Report.objects.create(event=event, status=ReportStatus.FAILED, attempt=1)
    list_url = reverse("admin:reports_report_changelist")
    organiser_client.get(list_url)

    with django_assert_num_queries(7):
        answer = organiser_client.get(list_url)

    assert answer.content.decode().count("Forum ") >= 3


def test_admin_report_list_queries_with_one_report(organiser_client, django_assert_num_queries):
    Report.objects.create(event=ended_event(title="Forum"), status=ReportStatus.FAILED, attempt=1)
    list_url = reverse("admin:reports_report_changelist")
    organiser_client.get(list_url)

    with django_assert_num_queries(7):
        organiser_client.get(list_url)

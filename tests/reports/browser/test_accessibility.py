"""Accessibility of this app's pages in a real browser: axe-core rules and keyboard use."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agenda.enums import SessionKind
from registrations.enums import AttendanceMode
from reports import feedback
from reports.models import SurveyResponse
from tests.browser.axe import describe_violations, run_axe
from tests.factories import EventFactory, SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import ended_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def response_row():
    event = ended_event(title="Moving Talents")
    SessionFactory(
        event=event, title="Opening", start=event.start, end=event.start + timedelta(hours=1)
    )
    SessionFactory(
        event=event,
        title="Lunch",
        kind=SessionKind.BREAK,
        start=event.start + timedelta(hours=3),
        end=event.start + timedelta(hours=4),
    )
    registration = RegistrationFactory(event=event)
    CheckInFactory(registration=registration, at=event.start)
    survey = feedback.ensure_survey(event=event)
    return SurveyResponse.objects.create(
        survey=survey, registration=registration, invited_at=timezone.now()
    )


def assert_no_violations(page):
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)


def test_survey_page_has_no_axe_violations_and_shows_errors_accessibly(page, response_row):
    page.goto(reverse("reports:survey", kwargs={"token": response_row.token}))
    assert_no_violations(page)

    # Sent without the required overall rating: the browser's own check is bypassed to reach
    # the server's answer, as a browser without that check would.
    page.evaluate("document.querySelector('form.form-panel').noValidate = true")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("alert")).to_contain_text("Please choose a rating from 1 to 5.")
    assert_no_violations(page)


def test_survey_ratings_are_radio_groups_reachable_by_keyboard(page, response_row):
    page.goto(reverse("reports:survey", kwargs={"token": response_row.token}))

    overall = page.get_by_role("group", name="Overall, how would you rate the event?")
    overall.get_by_role("radio", name="5 – excellent").check()
    opening = page.get_by_role("group", name="How would you rate the sessions you attended?")
    opening.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("status").first).to_contain_text("your answers are saved")
    answers = {(a.question.kind, a.rating) for a in response_row.answers.select_related("question")}
    assert answers == {("overall_rating", 5), ("session_ratings", 2)}


def test_refusal_pages_have_no_axe_violations(page):
    start = timezone.now() + timedelta(days=2)
    upcoming = EventFactory(online=True, start=start, end=start + timedelta(hours=2))
    registration = RegistrationFactory(event=upcoming, mode=AttendanceMode.ONLINE)

    for name in ("reports:join", "reports:certificate"):
        page.goto(reverse(name, kwargs={"token": registration.token}))
        assert_no_violations(page)


def test_attendance_page_has_no_axe_violations(page, live_server):
    event = ended_event(slug="moving-talents")
    for n in range(3):
        registration = RegistrationFactory(event=event)
        if n:
            CheckInFactory(registration=registration, at=event.start)
    # Transactional tests empty the tables, the organisers group made by a migration included.
    user = get_user_model().objects.create_user(
        "axe-organiser", password="a long passphrase 42", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="add_attendancemark"))
    page.goto(reverse("reports:attendance", kwargs={"slug": event.slug}))
    page.get_by_label("Username").fill("axe-organiser")
    page.get_by_label("Password").fill("a long passphrase 42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    assert_no_violations(page)

    page.get_by_role("button", name="Mark").first.click()
    expect(page.get_by_role("status").first).to_contain_text("is marked as")
    assert_no_violations(page)

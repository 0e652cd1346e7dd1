"""Accessibility of the public pages in a real browser: axe-core rules and keyboard use.

The pages are those of the demo data (``manage.py load_demo``): the home page, every public
event's page, and for each event one session page and one speaker page (every session and speaker
of a conference would multiply the run time for templates already covered), plus the 404 page;
in English, then in French chosen through the language switcher.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agenda.enums import EventFormat, SessionKind, SpeakerRole
from agenda.models import Event
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

from .conftest import describe_violations, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING_PATH = "/events/no-such-event/"


def make_site_with_factories() -> None:
    """A small site like the demo's: a past conference with tracks and rooms, an upcoming
    online meeting, and a draft that must stay invisible."""
    conference = EventFactory(title="Labour Mobility and Skills Shortages")
    room = RoomFactory(venue=conference.venue)
    track = TrackFactory(event=conference, name="Talent partnerships")
    panel = SessionFactory(event=conference, title="Opening panel", kind=SessionKind.PANEL)
    SessionFactory(
        event=conference,
        title="Ethical recruitment",
        kind=SessionKind.WORKSHOP,
        room=room,
        track=track,
        start=conference.start + timedelta(hours=2),
    )
    SessionSpeakerFactory(session=panel, speaker=SpeakerFactory(name="Ana Costa"))
    SessionSpeakerFactory(session=panel, role=SpeakerRole.MODERATOR)
    start = timezone.now() + timedelta(days=30)
    meeting = EventFactory(
        online=True,
        title="Engaging the private sector",
        format=EventFormat.ONLINE,
        start=start,
        end=start + timedelta(hours=3),
    )
    talk = SessionFactory(event=meeting, title="Presenting members")
    SessionSpeakerFactory(session=talk, role=SpeakerRole.PRESENTING_MEMBER)
    EventFactory(draft=True, title="Next edition (draft)")


@pytest.fixture
def public_paths() -> list[str]:
    """Loads the site's content and returns the public pages to check, home page first."""
    if "load_demo" in get_commands():
        call_command("load_demo", stdout=StringIO())
    else:
        make_site_with_factories()
    paths = [reverse("agenda:home")]
    events = Event.objects.public().order_by("start").prefetch_related("sessions__appearances")
    for event in events:
        paths.append(event.get_absolute_url())
        sessions = sorted(event.sessions.all(), key=lambda session: (session.start, session.pk))
        if sessions:
            paths.append(sessions[0].get_absolute_url())
        appearances = [a for session in sessions for a in session.appearances.all()]
        if appearances:
            paths.append(reverse("agenda:speaker", kwargs={"slug": appearances[0].speaker.slug}))
    return paths


def choose_language(page, base_url: str, language: str) -> None:
    """Opens the home page and, for French, picks it in the header's language switcher."""
    page.goto(base_url + reverse("agenda:home"))
    if language == "fr":
        page.get_by_role("banner").get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_public_pages_have_no_axe_violations(page, live_server, public_paths, language):
    choose_language(page, live_server.url, language)
    pages = [(path, 200) for path in public_paths] + [(MISSING_PATH, 404)]
    problems = {}

    for path, expected_status in pages:
        response = page.goto(live_server.url + path)
        found = []
        if response.status != expected_status:
            found.append(f"  status {response.status}, expected {expected_status}")
        lang = page.get_attribute("html", "lang")
        if lang != language:
            found.append(f"  <html lang={lang!r}>, expected {language!r}")
        violations = run_axe(page)
        if violations:
            found.append(describe_violations(violations))
        if found:
            problems[path] = "\n".join(found)

    report = "\n".join(f"{path}\n{text}" for path, text in problems.items())
    assert problems == {}, f"{len(problems)} of {len(pages)} pages in {language!r}:\n{report}"


def test_axe_reports_violations_on_a_faulty_page(page):
    page.set_content("<html><body><img src='photo.jpg'><a href='/'></a></body></html>")

    violations = run_axe(page)

    ids = {violation["id"] for violation in violations}
    assert {"html-has-lang", "image-alt", "link-name"} <= ids, describe_violations(violations)


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page, live_server, public_paths):
    page.goto(live_server.url + public_paths[1])

    page.keyboard.press("Tab")
    skip_link = page.locator(":focus")
    href = skip_link.get_attribute("href") or ""
    target_tag = page.evaluate(
        "(href) => href.startsWith('#') ? document.getElementById(href.slice(1))?.tagName : null",
        href,
    )
    visible = skip_link.is_visible()
    page.keyboard.press("Enter")
    focused_in = page.evaluate(
        "() => document.activeElement.closest('main')?.tagName ?? document.activeElement.tagName"
    )

    assert (href.startswith("#"), target_tag, visible) == (True, "MAIN", True), skip_link.evaluate(
        "element => element.outerHTML"
    )
    assert focused_in == "MAIN"


def test_language_switcher_is_reachable_by_keyboard(page, live_server, public_paths):
    page.goto(live_server.url + public_paths[0])
    visited = []

    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        name = focused.inner_text().strip()
        visited.append(name)
        if name == "Français":
            break
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert visited[-1] == "Français", f"Tab stops: {visited}"

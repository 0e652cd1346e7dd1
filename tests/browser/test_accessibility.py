"""Accessibility of the public pages in a real browser: axe-core rules and keyboard use.

The pages are those of the demo data (``manage.py load_demo``): the home page, every public
event's page, and for each event one session page and one speaker page (every session and speaker
of a conference would multiply the run time for templates already covered), plus the 404 page;
in English, then in French chosen through the language switcher.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from agenda.models import Event

from .axe import describe_violations, run_axe

pytestmark = pytest.mark.browser

MISSING_PATH = "/events/no-such-event/"


@pytest.fixture(scope="session")
def demo_media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
def public_paths(settings, demo_media_root) -> list[str]:
    """Loads the demo data and returns the public pages to check, home page first."""
    # load_demo writes its documents and photos only where they are missing: keeping them for
    # the session makes every load after the first one a matter of rows (seconds fewer each).
    settings.MEDIA_ROOT = demo_media_root
    call_command("load_demo", stdout=StringIO())
    paths = [reverse("agenda:home")]
    events = (
        Event.objects.public().order_by("start").prefetch_related("sessions__appearances__speaker")
    )
    for event in events:
        paths.append(event.get_absolute_url())
        sessions = sorted(event.sessions.all(), key=lambda session: (session.start, session.pk))
        # The first session with speakers: its page shows the most (a coffee break shows little).
        with_speakers = [session for session in sessions if session.appearances.all()]
        if sessions:
            paths.append((with_speakers or sessions)[0].get_absolute_url())
        # A speaker not checked yet, since the same people speak at several editions.
        speakers = [a.speaker for session in with_speakers for a in session.appearances.all()]
        unseen = [s.get_absolute_url() for s in speakers if s.get_absolute_url() not in paths]
        if unseen:
            paths.append(unseen[0])
    if len(paths) == 1:
        pytest.fail("load_demo made no public event: there would be nothing to check but the home")
    return paths


def choose_language(page, language: str) -> None:
    """Opens the home page and, for French, picks it in the header's language switcher."""
    page.goto(reverse("agenda:home"))
    if language == "fr":
        page.get_by_role("banner").get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_public_pages_have_no_axe_violations(page, public_paths, language):
    choose_language(page, language)
    pages = [(path, 200) for path in public_paths] + [(MISSING_PATH, 404)]
    problems = {}

    for path, expected_status in pages:
        response = page.goto(path)
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


FOCUSED = r"""() => {
    const element = document.activeElement;
    return {
        tag: element.tagName,
        text: element.textContent.replace(/\s+/g, " ").trim().slice(0, 60),
        href: element.getAttribute("href"),
        inMain: element.closest("main") !== null,
    };
}"""


@pytest.mark.django_db(transaction=True)
def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page):
    page.goto(reverse("agenda:home"))

    page.keyboard.press("Tab")
    first_stop = page.evaluate(FOCUSED)
    shown = page.locator(":focus").is_visible()
    page.keyboard.press("Enter")
    after_enter = page.evaluate(FOCUSED)

    href = first_stop["href"] or ""
    target = page.evaluate(
        "(href) => href.startsWith('#') ? document.getElementById(href.slice(1))?.tagName : null",
        href,
    )
    outcome = {"target": target, "shown": shown, "focus_in_main": after_enter["inMain"]}
    assert outcome == {"target": "MAIN", "shown": True, "focus_in_main": True}, first_stop


@pytest.mark.django_db(transaction=True)
def test_language_switcher_is_reachable_by_keyboard(page):
    page.goto(reverse("agenda:home"))
    stops = []

    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED)["text"])
        if stops[-1] == "Français":
            break
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert stops[-1] == "Français", f"Tab stops: {stops}"

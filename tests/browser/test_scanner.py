"""The scanner page in a real browser, its camera fed printed badges.

Each badge is rendered as attendees get it (the badge PDF), turned into an image with pdftoppm
and into a one-frame Y4M video that Chromium's fake camera plays in a loop. The video is fixed
when the browser starts, so every badge gets a browser of its own.

Commits are real here (``transaction=True`` with ``live_server``): the page's requests reach the
database that the assertions read.
"""

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from badges.enums import ScanResult
from badges.models import CheckIn, ScanLog
from badges.pdf import badge_face, event_heading, render_badges
from tests.conftest import need
from tests.factories import EventFactory, OrganisationFactory, PersonFactory
from tests.factories.badges import BadgeFactory

from .axe import describe_violations, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRAME = (640, 480)
CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
# Up to the first decoded frame: Chromium's start, the camera's and jsQR's.
SCAN_TIMEOUT = 15_000


@pytest.fixture
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    need(path is not None, "pdftoppm not found (Debian package 'poppler-utils')")
    return path


def badge_video(badge, folder: Path, pdftoppm: str) -> Path:
    """A Y4M video of the badge's PDF, the whole A6 badge upright in a 640x480 frame."""
    folder.mkdir()
    pdf = folder / "badge.pdf"
    pdf.write_bytes(render_badges([badge_face(badge)], heading=event_heading(badge.event)))
    subprocess.run(  # noqa: S603 (our own file names)
        [pdftoppm, "-r", "150", "-png", "-singlefile", str(pdf), str(folder / "badge")],
        check=True,
    )
    printed = Image.open(folder / "badge.png").convert("L")
    printed.thumbnail(FRAME, Image.Resampling.LANCZOS)
    frame = Image.new("L", FRAME, 255)
    frame.paste(printed, ((FRAME[0] - printed.width) // 2, (FRAME[1] - printed.height) // 2))
    # YUV 4:2:0: the grey image is the luma plane; the two chroma planes are neutral.
    chroma = bytes([128]) * (FRAME[0] // 2) * (FRAME[1] // 2)
    video = folder / "badge.y4m"
    video.write_bytes(
        f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F15:1 Ip A1:1 C420jpeg\n".encode()
        + b"FRAME\n"
        + frame.tobytes()
        + chroma
        + chroma
    )
    return video


@pytest.fixture
def door(db):
    """A conference with two confirmed attendees' badges, and an organiser at the door."""
    event = EventFactory(slug="moving-talents", title="Moving Talents")
    ana = BadgeFactory(
        registration__event=event,
        registration__person=PersonFactory(
            first_name="Ana",
            last_name="Novak",
            organisation=OrganisationFactory(name="Ministry of Labour"),
        ),
    )
    ben = BadgeFactory(
        registration__event=event,
        registration__person=PersonFactory(
            first_name="Benoît",
            last_name="Lambert",
            organisation=OrganisationFactory(name="Fédération des employeurs"),
        ),
    )
    organiser = get_user_model().objects.create_user("door-organiser", is_staff=True)
    # The permission itself, not the organisers group: transactional tests flush the rows
    # that data migrations made.
    organiser.user_permissions.add(
        Permission.objects.get(content_type__app_label="badges", codename="add_checkin")
    )
    return event, ana, ben, organiser


@contextmanager
def scanner_page(
    browser_type, launch_args: dict, context_args: dict, *, video: Path, user, live_server
):
    """A page in a browser of its own whose camera shows ``video``, signed in as ``user``."""
    browser = browser_type.launch(
        **{
            **launch_args,
            "args": [
                *launch_args["args"],
                *CAMERA_ARGS,
                f"--use-file-for-fake-video-capture={video}",
            ],
        }
    )
    try:
        context = browser.new_context(**{**context_args, "base_url": live_server.url})
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        browser.close()


def test_scanner_checks_in_badges_online_and_offline(
    browser_type,
    browser_type_launch_args,
    browser_context_args,
    live_server,
    tmp_path,
    door,
    pdftoppm,
):
    event, ana, ben, organiser = door
    url = reverse("scanner:checkin", kwargs={"slug": event.slug})
    ana_video = badge_video(ana, tmp_path / "ana", pdftoppm)
    ben_video = badge_video(ben, tmp_path / "ben", pdftoppm)
    browsers = {
        "launch_args": browser_type_launch_args,
        "context_args": browser_context_args,
        "user": organiser,
        "live_server": live_server,
    }

    # Online: green, then the same badge read again a few seconds later is amber.
    with scanner_page(browser_type, video=ana_video, **browsers) as page:
        page.goto(url)
        root = page.locator("#scanner")
        page.get_by_role("button", name="Start scanning").click()
        expect(root).to_have_attribute("data-state", "green", timeout=SCAN_TIMEOUT)
        expect(page.locator("#answer")).to_contain_text("Ana Novak")
        expect(page.locator("#answer")).to_contain_text("Ministry of Labour")
        expect(root).to_have_attribute("data-state", "amber", timeout=SCAN_TIMEOUT)
        expect(page.locator("#answer")).to_contain_text("Already checked in")
        expect(page.locator("#answer")).to_contain_text("by door-organiser")
        expect(page.locator("#live")).to_contain_text("Already checked in")

    ana_checkins = CheckIn.objects.filter(registration=ana.registration)
    ana_results = list(
        ScanLog.objects.filter(registration=ana.registration)
        .order_by("at", "pk")
        .values_list("result", flat=True)
    )
    assert [(c.user, c.offline, c.badge_id) for c in ana_checkins] == [(organiser, False, ana.pk)]
    assert ana_results[:2] == [ScanResult.CHECKED_IN, ScanResult.ALREADY_CHECKED_IN]

    # Offline: the list saved beforehand answers, the scan is queued and sent on reconnecting.
    with scanner_page(browser_type, video=ben_video, **browsers) as page:
        page.goto(url)
        root = page.locator("#scanner")
        expect(root).to_have_attribute("data-list", "2")
        page.context.set_offline(True)
        expect(root).to_have_attribute("data-network", "offline")
        page.get_by_role("button", name="Start scanning").click()
        expect(root).to_have_attribute("data-state", "green", timeout=SCAN_TIMEOUT)
        expect(page.locator("#answer")).to_contain_text("Benoît Lambert")
        expect(root).to_have_attribute("data-queued", "1")
        expect(page.locator("#network")).to_have_text("Offline: 1 scan queued")
        assert CheckIn.objects.filter(registration=ben.registration).count() == 0

        page.context.set_offline(False)
        expect(root).to_have_attribute("data-queued", "0", timeout=SCAN_TIMEOUT)
        expect(root).to_have_attribute("data-network", "online")

    ben_checkin = CheckIn.objects.get(registration=ben.registration)
    assert (ben_checkin.user, ben_checkin.offline, ben_checkin.badge_id) == (
        organiser,
        True,
        ben.pk,
    )
    assert ScanLog.objects.filter(registration=ben.registration, offline=True).count() == 1


SHOW_ANSWER = """(color) => {
    const answer = document.getElementById("answer");
    answer.className = "answer answer-" + color;
    document.getElementById("answer-verdict").textContent = "Verdict";
    document.getElementById("answer-name").textContent = "Ana Novak";
    document.getElementById("answer-organisation").textContent = "Ministry of Labour";
    document.getElementById("answer-role").textContent = "Speaker";
    document.getElementById("answer-reason").textContent = "First checked in at 09:12 by Door 1";
    answer.hidden = false;
}"""


@pytest.mark.parametrize("color", [None, "green", "amber", "red"])
def test_scanner_page_has_no_axe_violations(page, live_server, door, color):
    event, _ana, _ben, organiser = door
    client = Client()
    client.force_login(organiser)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(reverse("scanner:checkin", kwargs={"slug": event.slug}))
    page.get_by_label("Name or email").fill("Novak")
    expect(page.get_by_role("button", name="Ana Novak")).to_be_visible()
    if color:
        # The answer as the script shows it, held on screen for axe (it clears itself in 1.2 s).
        page.evaluate(SHOW_ANSWER, color)

    violations = run_axe(page)

    assert violations == [], describe_violations(violations)

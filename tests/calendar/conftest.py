import json
import shutil
import subprocess
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.conftest import need
from tests.factories.registrations import PrivacyNoticeFactory

PARSER = Path(__file__).parent / "js" / "parse.mjs"


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory(version="2026-01")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://events.example.org"
    settings.DEFAULT_FROM_EMAIL = "EU LMPN Events <events@example.org>"


@pytest.fixture
def icaljs():
    """Parses .ics bytes with ical.js (Thunderbird's parser) under node; returns what it read."""
    node = shutil.which("node")
    need(node is not None, "needs node to parse calendars with ical.js")

    def parse(data: bytes) -> dict:
        result = subprocess.run(  # noqa: S603 - fixed program and script, data on stdin
            [node, str(PARSER)], input=data, capture_output=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stderr.decode()
        return json.loads(result.stdout)

    return parse


def parse_ics(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def vevents(data: bytes) -> list:
    return parse_ics(data).walk("VEVENT")

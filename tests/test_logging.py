"""Logs carry no personal data: email addresses, badge codes and tokens are removed, in JSON."""

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from badges.codes import new_code
from eventsite.logging import JsonFormatter, PlainFormatter, RedactingFilter, redact
from tests.test_settings import PRODUCTION_ENV, UNSET, show

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Xq3vG7kP2mZ8wR1tY6uB4nC9dF0hJ5sLaE-_Tg2iOo8"  # shaped like secrets.token_urlsafe(32)
BADGE = "C-ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCDEFGH23"  # shaped like badges.codes.new_code()


@pytest.fixture
def capture():
    """A logger whose records go through the site's filter and a formatter, into a string."""
    made = []

    def make(formatter: logging.Formatter, name: str = "tests.logging") -> tuple:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        made.append((logger, handler))
        return logger, stream

    yield make
    for logger, handler in made:
        logger.removeHandler(handler)
        logger.propagate = True


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# What is removed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sent to ana.novak+events@example.org", "Sent to [email]"),
        ("?email=ana%40example.org&x=1", "?email=[redacted]&x=1"),
        (f"Checked in {BADGE} at door 2", "Checked in [badge-code] at door 2"),
        (f"GET /registration/{TOKEN}/cancel/", "GET /registration/[redacted]/cancel/"),
        (f"GET /r/{TOKEN}/", "GET /r/[redacted]/"),
        (f"GET /api/v1/registrations/{TOKEN}/", "GET /api/v1/registrations/[redacted]/"),
        (f"GET /calendar/{TOKEN}.ics", "GET /calendar/[redacted].ics"),
        (f"GET /feedback/{TOKEN}/", "GET /feedback/[redacted]/"),
        (f"Authorization: Device dev_{TOKEN}", "Authorization: Device [redacted]"),
        (f"Authorization: Token {'a1b2c3d4' * 5}", "Authorization: Token [redacted]"),
        (f"HTTP_AUTHORIZATION='token {TOKEN}'", "HTTP_AUTHORIZATION='token [redacted]'"),
        ("/events/forum/?invitation_code=ABCD1234", "/events/forum/?invitation_code=[redacted]"),
        (f"unexpected {TOKEN} here", "unexpected [redacted] here"),
    ],
)
def test_redact_removes_personal_data_and_secrets(text, expected):
    assert redact(text) == expected


def test_redact_removes_badge_codes_the_site_makes():
    code = new_code(event_id=48213)

    assert redact(f"Scanned {code} twice") == "Scanned [badge-code] twice"


@pytest.mark.parametrize(
    "text",
    [
        "GET /events/fair-mobility-forum-2030/calendar.ics 200",
        "Task registrations.tasks.send_email[6f1c2a34-8d4e-4b7a-9f0e-2c1d3b4a5e6f] succeeded",
        "ETag 3f8a9c0d1e2b4a5f6e7d8c9b0a1f2e3d4c5b6a7f",
        "Outbox email 1234 sent after 2 attempts",
        "GET /admin/registrations/registration/12/change/",
    ],
)
def test_redact_keeps_what_is_not_personal(text):
    assert redact(text) == text


# Records, messages, arguments and extras --------------------------------------------------------


def test_json_log_line_redacts_message_and_arguments(capture):
    logger, stream = capture(JsonFormatter())

    logger.warning("Could not send %s to %s", "the confirmation", "ana@example.org")

    (line,) = json_lines(stream)
    assert line["message"] == "Could not send the confirmation to [email]"
    assert (line["level"], line["logger"]) == ("WARNING", "tests.logging")
    assert line["time"].endswith("+00:00")


def test_json_log_line_redacts_extras(capture):
    logger, stream = capture(JsonFormatter())

    logger.info(
        "Checked in",
        extra={"code": BADGE, "data": {"to": ["ana@example.org"], "attempts": 2}},
    )

    (line,) = json_lines(stream)
    assert line["code"] == "[badge-code]"
    assert line["data"] == {"to": ["[email]"], "attempts": 2}


def test_json_log_line_redacts_tracebacks(capture):
    logger, stream = capture(JsonFormatter())

    try:
        raise ValueError(f"duplicate key (email)=(ana@example.org) for /registration/{TOKEN}/")
    except ValueError:
        logger.exception("Registration failed")

    (line,) = json_lines(stream)
    assert "ana@example.org" not in json.dumps(line)
    assert TOKEN not in json.dumps(line)
    assert "(email)=([email])" in line["exc_info"]


def test_plain_log_line_redacts_too(capture):
    logger, stream = capture(PlainFormatter("%(levelname)s %(message)s"))

    try:
        raise RuntimeError(f"badge {BADGE}")
    except RuntimeError:
        logger.exception("Printing failed for %s", "ana@example.org")

    text = stream.getvalue()
    assert text.startswith("ERROR Printing failed for [email]")
    assert BADGE not in text
    assert "badge [badge-code]" in text


def test_django_request_log_names_the_path_without_its_token(capture, rf):
    logger, stream = capture(JsonFormatter(), name="django.request")
    request = rf.get(f"/registration/{TOKEN}/", headers={"Authorization": f"Token {TOKEN}"})

    logger.warning("Not Found: %s", request.path, extra={"status_code": 404, "request": request})

    (line,) = json_lines(stream)
    assert line["message"] == "Not Found: /registration/[redacted]/"
    assert line["request"] == "GET /registration/[redacted]/"
    assert line["status_code"] == 404
    assert TOKEN not in stream.getvalue()


def test_gunicorn_access_line_has_fields_without_query_or_address(capture):
    logger, stream = capture(JsonFormatter(), name="gunicorn.access")
    atoms = {
        "h": "127.0.0.1",
        "m": "GET",
        "U": f"/calendar/{TOKEN}.ics",
        "q": "email=ana@example.org",
        "s": "200",
        "B": 5120,
        "M": 12,
        "a": "Thunderbird/128.0",
        "f": f"https://events.example.org/registration/{TOKEN}/?token={TOKEN}",
        "u": "ana@example.org",
        "{x-forwarded-for}i": "203.0.113.77, 10.0.0.2",
    }

    logger.info("%(m)s %(U)s %(s)s", atoms)

    (line,) = json_lines(stream)
    assert line["message"] == "GET /calendar/[redacted].ics 200"
    assert {key: line[key] for key in atoms.keys() & line.keys()} == {}
    assert (line["method"], line["path"], line["status"], line["bytes"]) == (
        "GET",
        "/calendar/[redacted].ics",
        200,
        5120,
    )
    assert line["client_network"] == "203.0.113.0"
    assert line["referer"] == "https://events.example.org/registration/[redacted]/"
    assert line["duration_ms"] == 12
    assert "ana@example.org" not in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def test_gunicorn_access_line_shortens_ipv6_addresses(capture):
    logger, stream = capture(JsonFormatter(), name="gunicorn.access")

    logger.info(
        "%(m)s %(U)s %(s)s",
        {"h": "2001:db8:85a3:8d3:1319:8a2e:370:7348", "m": "GET", "U": "/", "s": "200"},
    )

    assert json_lines(stream)[0]["client_network"] == "2001:db8:85a3::"


# Configuration ------------------------------------------------------------------------------------


def test_production_mode_logs_json_through_the_redacting_filter():
    shown = show(
        "settings.LOGGING['handlers']['console']['formatter'], "
        "settings.LOGGING['handlers']['console']['filters']",
        env=PRODUCTION_ENV,
    )

    assert shown == "json ['redact']"


def test_development_mode_logs_text_unless_asked_for_json():
    plain = show(
        "settings.LOGGING['handlers']['console']['formatter']",
        env={"DATABASE_URL": "sqlite://:memory:"},
    )
    asked = show(
        "settings.LOGGING['handlers']['console']['formatter']",
        env={"DATABASE_URL": "sqlite://:memory:", "LOG_FORMAT": "json"},
    )

    assert (plain, asked) == ("plain", "json")


def test_django_logs_in_production_mode_are_json_and_redacted():
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    code = (
        "import logging; "
        "logging.getLogger('registrations').warning('Bounce from %s', 'ana@example.org')"
    )

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**base, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line["logger"] == "registrations")
    assert warning["message"] == "Bounce from [email]"
    assert "ana@example.org" not in result.stderr


# gunicorn itself ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_writes_json_access_lines_without_query_strings_or_tokens(tmp_path):
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    env = {
        **base,
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "eventsite.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, err.read_text()
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/calendar/{TOKEN}.ics?email=ana@example.org",
            headers={"Host": "events.example.org", "X-Forwarded-Proto": "https"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - local server
        except urllib.error.HTTPError as error:
            assert error.code in (404, 503)
        deadline = time.monotonic() + 10
        while "/calendar/" not in out.read_text():
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    access = next(line for line in lines if "/calendar/" in line["path"])
    assert access["logger"] == "gunicorn.access"
    assert access["path"] == "/calendar/[redacted].ics"
    for text in (out.read_text(), err.read_text()):
        assert TOKEN not in text
        assert "ana@example.org" not in text
        assert "email=" not in text

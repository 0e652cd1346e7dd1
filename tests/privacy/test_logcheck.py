"""The check that no log line of the test suite carries an email address or a badge code."""

import logging
import sys

import pytest

from badges.codes import new_code
from tests.privacy.logcheck import PersonalDataCatcher, find_personal_data, mask

pytestmark = pytest.mark.django_db


def record(message: str, *args, **extra) -> logging.LogRecord:
    made = logging.LogRecord("tests.logcheck", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_detector_finds_an_email_address():
    assert find_personal_data("Sent to Ana.Novak+events@mddsz.gov.si today") == [
        ("email address", "Ana.Novak+events@mddsz.gov.si")
    ]


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_detector_finds_a_badge_code_in_either_case(case):
    code = new_code(event_id=42)

    assert find_personal_data(f"scan of {case(code)} refused") == [("badge code", case(code))]


def test_detector_leaves_ordinary_log_lines_alone():
    line = "Print run 12 of event 3 failed; outbox email 99 stays pending (a2f4-9c)"

    assert find_personal_data(line) == []


def test_catcher_finds_them_in_arguments_tracebacks_and_extras():
    catcher = PersonalDataCatcher()
    catcher.current_test = "tests/x.py::test_y"
    code = new_code(event_id=7)
    try:
        raise ValueError(code)
    except ValueError:
        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())

    catcher.handle(record("Registered %s", "ana@example.org"))
    catcher.handle(failing)
    catcher.handle(record("request", data={"to": "bob@example.org"}))

    assert [(f[0], f[2]) for f in catcher.findings] == [
        ("tests/x.py::test_y", "email address"),
        ("tests/x.py::test_y", "badge code"),
        ("tests/x.py::test_y", "email address"),
    ]
    assert all("example.org" not in f[3] and code not in f[3] for f in catcher.findings)
    assert failing.exc_text is None  # the record is left for the next handlers as it was


def test_catcher_sees_records_through_the_logging_machinery():
    # A logger of its own that does not reach the root: this email must not fail the run.
    logger = logging.getLogger("tests.privacy.isolated")
    logger.propagate = False
    catcher = PersonalDataCatcher()
    logger.addHandler(catcher)
    try:
        logger.warning("Bounce from %s", "carla@example.org")
    finally:
        logger.removeHandler(catcher)

    assert [finding[2] for finding in catcher.findings] == ["email address"]


def test_the_session_catcher_is_the_first_root_handler():
    root = logging.getLogger()

    assert isinstance(root.handlers[0], PersonalDataCatcher)


def test_mask_keeps_too_little_to_use():
    assert mask("ana@example.org") == "ana@…"

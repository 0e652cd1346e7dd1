import logging
import os

import pytest
from django.core.cache import caches
from django.db import connection

from tests.privacy.logcheck import PersonalDataCatcher


def services_required() -> bool:
    """Under ``REQUIRE_SERVICES=1`` (CI) a missing service is a failure, never a skip."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skips the calling test unless ``condition``; under ``REQUIRE_SERVICES=1`` fails it."""
    if condition:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres() -> None:
    need(connection.vendor == "postgresql", "needs PostgreSQL (set TEST_DATABASE_URL)")


@pytest.fixture(autouse=True)
def _empty_caches():
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- no email address or badge code in any log line of the whole run ------------------------------
# A handler first on the root logger sees every record before the production redaction rewrites
# it; findings fail the run at its end (exit status 1) and are listed in the summary.

_log_catcher = PersonalDataCatcher()


def _catch_logs_first() -> None:
    root = logging.getLogger()
    if root.handlers[:1] != [_log_catcher]:
        if _log_catcher in root.handlers:
            root.removeHandler(_log_catcher)
        root.handlers.insert(0, _log_catcher)


def pytest_sessionstart(session) -> None:
    _catch_logs_first()


def pytest_runtest_logstart(nodeid, location) -> None:
    _log_catcher.current_test = nodeid


@pytest.fixture(autouse=True)
def _logs_checked():
    # Again before each test: something may have configured logging afresh meanwhile.
    _catch_logs_first()
    yield


def pytest_sessionfinish(session, exitstatus) -> None:
    if _log_catcher.findings and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    findings = _log_catcher.findings
    if not findings:
        return
    terminalreporter.section("personal data in logs", sep="=", red=True, bold=True)
    terminalreporter.write_line(
        f"{len(findings)} log records carried an email address or a badge code; the run fails."
    )
    for test, logger_name, kind, masked in findings[:50]:
        terminalreporter.write_line(f"{test}: logger {logger_name!r}: {kind} ({masked})")

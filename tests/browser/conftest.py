"""Browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

One browser serves the whole session; each test gets a fresh context and page from
pytest-playwright. Playwright's own browser download cannot work on these machines, so the
browser is always the system one, and ``playwright install`` is never needed.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import need, services_required

# Playwright's sync API keeps an asyncio loop running in the test thread from the moment the
# browser starts until the session ends; Django would otherwise refuse the ORM calls these tests
# make there (loading the demo data, choosing the pages to visit).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _chromium() -> None:
    # Session-scoped and autouse so that it runs before pytest-playwright starts its driver: a
    # missing browser is one clear skip (or failure in CI), not a launch error per test.
    need(
        CHROMIUM.is_file(),
        f"Chromium not found at {CHROMIUM} (Debian package 'chromium', which .ci/run installs; "
        "or set CHROMIUM_PATH)",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    # Pages are opened by path, as ``reverse()`` gives them. Defining the fixture here also
    # replaces pytest-playwright's own, which pytest 9 warns about.
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # An English-speaking visitor by default, so the French pages are reached through the
    # switcher, as a person would. Bypassing CSP lets axe be injected whatever policy the site
    # sets; it changes nothing else on the page.
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "Europe/Brussels",
        "bypass_csp": True,
    }


@pytest.fixture
def page(page):
    # A broken page should fail in seconds, not after Playwright's 30-second default.
    page.set_default_timeout(10_000)
    return page


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs the browser tests last, keeping the rest of the suite in its order.

    Once started, Playwright leaves an asyncio loop running in the main thread until the session
    ends, and ``async_to_sync`` (Django's async views and clients) refuses to run under it.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line that says whether the browser tests ran, so a silent skip cannot go unseen."""
    outcomes: dict[str, set[str]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "browser" in getattr(report, "keywords", {}):
                outcomes.setdefault(outcome, set()).add(report.nodeid)
    # A test that failed in teardown also passed its call: count each test once, worst first.
    seen: set[str] = set()
    counts = {}
    for outcome in ("error", "failed", "skipped", "passed"):
        counts[outcome] = len(outcomes.get(outcome, set()) - seen)
        seen |= outcomes.get(outcome, set())
    if not seen:
        return
    if not CHROMIUM.is_file():
        verb = "failed (REQUIRE_SERVICES=1)" if services_required() else "skipped"
        terminalreporter.write_sep(
            "-",
            f"browser tests: Chromium not found at {CHROMIUM}, {len(seen)} browser tests {verb}",
            red=services_required(),
            yellow=not services_required(),
        )
        return
    summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items() if count)
    terminalreporter.write_sep("-", f"browser tests with Chromium at {CHROMIUM}: {summary}")

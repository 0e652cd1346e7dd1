"""What one scan costs the database, statement by statement (bench/checkin.py measures the time).

A scan of a badge at the door is a handful of statements: the device by its token, the event, and
in one transaction the badge with its registration locked, the check-in inserted unless there is
one (the constraint decides), and the scan log entry. No ORDER BY on lookups of one row.

Each test first scans another badge, as a door that is already working has: what apps above
badges keep in the cache to answer its signals (webhooks' routes) is then warm, as it is at the
door, and costs no query.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges.models import CheckIn, ScanLog
from tests.factories.badges import BadgeFactory

from .conftest import scan


@pytest.fixture(autouse=True)
def _through_the_view(settings):
    """These count the API view's statements; on PostgreSQL a scan's everyday request is
    answered before it (badges/fastpath/, counted in test_fastpath.py)."""
    settings.CHECKIN_FAST_PATH = False


@pytest.fixture
def door_open(client_of_device, event):
    """Another badge scanned already."""
    scan(client_of_device, event, BadgeFactory(registration__event=event).code)


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The first word of each statement, transaction control apart."""
    return [
        query["sql"].split()[0].upper()
        for query in queries.captured_queries
        if query["sql"].split()[0].upper() not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    ]


def test_checkin_first_scan_query_count(client_of_device, event, badge, door_open):
    with CaptureQueriesContext(connection) as queries:
        response = scan(client_of_device, event, badge.code, idempotency_key="k-1")

    assert response.json()["result"] == "checked_in"
    # device, event, badge with its registration locked, check-in, scan log
    assert statements(queries) == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT"]
    assert len(queries) == 7


def test_checkin_repeat_scan_query_count(client_of_device, event, badge, door_open):
    scan(client_of_device, event, badge.code, idempotency_key="k-1")

    with CaptureQueriesContext(connection) as queries:
        response = scan(client_of_device, event, badge.code, idempotency_key="k-2")

    assert response.json()["result"] == "already_checked_in"
    # device, event, badge, check-in not inserted, the earlier check-in, scan log
    assert statements(queries) == ["SELECT", "SELECT", "SELECT", "INSERT", "SELECT", "INSERT"]
    assert len(queries) == 8


def test_checkin_no_lookup_orders_its_one_row(client_of_device, event, badge, door_open):
    with CaptureQueriesContext(connection) as queries:
        scan(client_of_device, event, badge.code, idempotency_key="k-1")

    assert [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]] == []


def test_checkin_retry_costs_no_lookup_before_the_scan(client_of_device, event, badge):
    first = scan(client_of_device, event, badge.code, idempotency_key="k-1").json()

    with CaptureQueriesContext(connection) as queries:
        retry = scan(client_of_device, event, badge.code, idempotency_key="k-1")

    assert retry.json() == first
    assert retry.headers["Idempotent-Replayed"] == "true"
    # the scan as above, its log entry refused by the key's constraint, then the stored answer
    assert statements(queries)[-1] == "SELECT"
    assert (CheckIn.objects.filter(badge=badge).count(), ScanLog.objects.count()) == (1, 1)


@pytest.mark.parametrize("seen_seconds_ago", [5, 120])
def test_checkin_device_last_seen_written_at_most_once_a_minute(
    client_of_device, event, badge, device, seen_seconds_ago
):
    device.last_seen_at = timezone.now() - timedelta(seconds=seen_seconds_ago)
    device.save(update_fields=["last_seen_at"])

    with CaptureQueriesContext(connection) as queries:
        scan(client_of_device, event, badge.code)

    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == (0 if seen_seconds_ago < 60 else 1)

import threading
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from agenda.models import Event
from registrations import ratelimit
from tests.factories.registrations import PrivacyNoticeFactory


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory(version="2026-01")


@pytest.fixture
def event_row_locked(postgres, settings):
    """Holds an event's row lock from another connection, as a registration in progress would.

    With a lock timeout of 1 ms, a registration meanwhile meets the real timeout on PostgreSQL.
    """
    settings.REGISTRATIONS_LOCK_TIMEOUT_MS = 1

    @contextmanager
    def hold(event):
        locked, release = threading.Event(), threading.Event()

        def hold_lock():
            try:
                with transaction.atomic():
                    Event.objects.select_for_update().get(pk=event.pk)
                    locked.set()
                    release.wait(timeout=30)
            finally:
                connection.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        assert locked.wait(timeout=10)
        try:
            yield
        finally:
            release.set()
            holder.join()

    return hold


@pytest.fixture
def rate_clock(monkeypatch):
    """The rate limit's clock stands still, 15 s into a window: no test crosses a window's end
    by chance."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_015.0))

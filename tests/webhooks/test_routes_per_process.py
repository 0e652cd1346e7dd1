"""The webhooks' routes kept by each process for a few seconds when the cache is shared.

A file-based cache stands for Redis here: shared between processes, unlike the per-process
``LocMemCache`` of the other tests (read as it is, with no copy kept).
"""

import pytest
from django.core.cache import cache

from tests.factories import EventFactory
from tests.factories.webhooks import WebhookFactory
from webhooks import routing
from webhooks.enums import WebhookEventType

CHECKIN = WebhookEventType.CHECKIN_CREATED.value


@pytest.fixture
def shared_cache(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock of ``routing``, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(routing, "_clock", lambda: now[0])
    return now


def test_routes_kept_in_the_process_cost_no_cache_read(db, shared_cache, django_assert_num_queries):
    routing.routes()
    cache.delete(routing.CACHE_KEY)  # what another process's change does to the shared entry

    with django_assert_num_queries(0):
        kept = routing.routes()

    assert kept == []
    assert cache.get(routing.CACHE_KEY) is None


def test_webhook_saved_here_takes_effect_here_at_once(event_with_webhook_target, shared_cache):
    event = event_with_webhook_target
    assert routing.targets(event_id=event.pk, event_type=CHECKIN) == []

    webhook = WebhookFactory(events=[event])

    assert routing.targets(event_id=event.pk, event_type=CHECKIN) == [webhook.pk]


def test_webhook_saved_by_another_process_takes_effect_within_the_local_timeout(
    event_with_webhook_target, shared_cache, clock
):
    event = event_with_webhook_target
    routing.targets(event_id=event.pk, event_type=CHECKIN)
    kept = routing._kept
    webhook = WebhookFactory(events=[event])
    routing._kept = kept  # this process did not see the change: another one made it

    before = routing.targets(event_id=event.pk, event_type=CHECKIN)
    clock[0] += routing.LOCAL_TIMEOUT - 0.1
    still = routing.targets(event_id=event.pk, event_type=CHECKIN)
    clock[0] += 0.2
    after = routing.targets(event_id=event.pk, event_type=CHECKIN)

    assert (before, still, after) == ([], [], [webhook.pk])


def test_routes_not_kept_with_a_per_process_cache(db, django_assert_num_queries):
    routing.routes()
    cache.delete(routing.CACHE_KEY)

    with django_assert_num_queries(1):
        routing.routes()


@pytest.fixture
def event_with_webhook_target(db):
    return EventFactory()

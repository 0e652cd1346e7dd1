"""Which active webhooks want what, kept in the cache so that changes pay nothing without them.

Every registration change and every scan at the door asks ``targets``; with no webhook matching
it answers from the cache without touching the database. The entry is dropped whenever a webhook,
or the events it covers, changes (now and again after the commit, so a reader that filled it
from the old rows in between does not keep them), and expires after ``TIMEOUT`` in any case,
for caches that are not shared between processes.

With a cache shared between processes (Redis), each process also keeps its own copy for
``LOCAL_TIMEOUT`` seconds, so that a scan at the door costs no round trip to Redis: a change
made by another process takes effect here within that time (at once in the process that made
it). A per-process cache (``LocMemCache``) is read as it is.
"""

import logging
import time

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import transaction

logger = logging.getLogger(__name__)

CACHE_KEY = "webhooks:routes:v1"
TIMEOUT = 60
LOCAL_TIMEOUT = 5

# (webhook id, all events, event ids, event types) of each active webhook
Route = tuple[int, bool, frozenset[int], frozenset[str]]


def _load() -> list[Route]:
    from .models import Webhook

    active = Webhook.objects.filter(active=True).order_by()
    hooks = list(active.values_list("pk", "all_events", "event_types"))
    if not hooks:
        return []
    covered: dict[int, set[int]] = {}
    through = Webhook.events.through.objects.filter(webhook__active=True).order_by()
    for webhook_id, event_id in through.values_list("webhook_id", "event_id"):
        covered.setdefault(webhook_id, set()).add(event_id)
    return [
        (pk, all_events, frozenset(covered.get(pk, ())), frozenset(types or ()))
        for pk, all_events, types in hooks
    ]


# This process's copy when the cache is shared: (until when, on the monotonic clock, routes).
_kept: tuple[float, list[Route]] | None = None
_clock = time.monotonic


def _shared() -> bool:
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache | DummyCache)


def _keep(found: list[Route]) -> None:
    global _kept
    if _shared():
        _kept = (_clock() + LOCAL_TIMEOUT, found)


def routes() -> list[Route]:
    """The active webhooks' routes. With the cache unreachable (Redis down), read from the
    database: a registration or a scan must not fail for the cache's sake."""
    kept = _kept
    if kept is not None and kept[0] > _clock() and _shared():
        return kept[1]
    try:
        found = cache.get(CACHE_KEY)
        if found is None:
            found = _load()
            cache.set(CACHE_KEY, found, TIMEOUT)
    except redis.RedisError as error:
        logger.warning(
            "Webhook routes read from the database: %s from the cache", type(error).__name__
        )
        found = _load()
    _keep(found)
    return found


def targets(*, event_id: int, event_type: str) -> list[int]:
    """Ids of the active webhooks wanting ``event_type`` of this event (perhaps stale: the
    caller confirms them under its transaction)."""
    return [
        pk
        for pk, all_events, event_ids, types in routes()
        if event_type in types and (all_events or event_id in event_ids)
    ]


def _drop() -> None:
    global _kept
    _kept = None
    cache.delete(CACHE_KEY)


def forget() -> None:
    _drop()
    transaction.on_commit(_drop)


def assume_none() -> None:
    """Records that no webhook is active, without asking the database: for test setups whose
    database starts empty."""
    cache.set(CACHE_KEY, [], TIMEOUT)
    _keep([])


def _caches_changed(*, setting: str, **kwargs) -> None:
    global _kept
    if setting == "CACHES":
        _kept = None


setting_changed.connect(_caches_changed, dispatch_uid="webhooks.routing.caches_changed")

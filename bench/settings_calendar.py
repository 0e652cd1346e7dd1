"""The production settings, with the calendar feeds' cache counting what it stores.

Used by ``bench/calendar_feeds.py``. A feed's body is stored in the ``pages`` cache right after
it is built (``agenda.feeds.store_body``), so counting the stores of ``ical:`` keys counts
the builds, per key, in Redis (``BENCH_BUILDS_URL``), where the benchmark reads them between
runs. ``BENCH_FEED_CACHE`` chooses the cache:

- ``warm``: the per-process ``LocMemCache`` of production; a store happens only on a miss, so
  the count is never touched on a cache hit or a 304;
- ``cold``: nothing is kept, as if every request came right after a change: every request
  builds its feed.
"""

import os

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from eventsite.settings import *  # noqa: F403
from eventsite.settings import CACHES

BUILDS_KEY = "bench:calendar:builds"
_counter = redis.Redis.from_url(os.environ["BENCH_BUILDS_URL"])


class _CountsBuilds:
    """Counts the builds: each stores the feed and its gzip copy together (``set_many``)."""

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key in data:
            if key.startswith("ical:") and key.endswith(":raw"):
                _counter.hincrby(BUILDS_KEY, key, 1)
        return super().set_many(data, timeout, version)


class CountingLocMemCache(_CountsBuilds, LocMemCache):
    pass


class CountingDummyCache(_CountsBuilds, DummyCache):
    pass


_BACKENDS = {
    "warm": "bench.settings_calendar.CountingLocMemCache",
    "cold": "bench.settings_calendar.CountingDummyCache",
}

CACHES = {
    **CACHES,
    "pages": {**CACHES["pages"], "BACKEND": _BACKENDS[os.environ["BENCH_FEED_CACHE"]]},
}

"""A fixed-window request counter in Django's cache, for the public registration form.

Why not django-ratelimit: one counter per client and event is all the form needs, and the
project's "default" cache (Redis in production) already gives atomic increments shared by every
worker. With the local-memory cache of development and tests, each process counts on its own.

Usage::

    retry_after = hit(f"register:{event.pk}:{client_ip(request)}", limit=10, period=60)
    if retry_after is not None:
        ...  # answer 429 with a Retry-After header of ``retry_after`` seconds
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from.

    Behind a reverse proxy, set ``REGISTRATIONS_CLIENT_IP_HEADER`` to the META key the proxy
    fills in and clients cannot forge (e.g. ``"HTTP_X_REAL_IP"``); otherwise every visitor
    would share the proxy's address. X-Forwarded-For is never trusted by default because any
    client can send it.
    """
    header = getattr(settings, "REGISTRATIONS_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    return value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(key: str, *, limit: int, period: int) -> int | None:
    """Counts one request under ``key``; returns None while within ``limit`` per ``period``.

    Past the limit, returns the seconds until the current window ends (for Retry-After).
    Windows are aligned on multiples of ``period`` so that all workers agree on them.
    """
    cache = caches["default"]
    now = int(time.time())
    window = now // period
    cache_key = f"ratelimit:{key}:{window}"
    # add() is a no-op when the key exists, so concurrent first hits cannot reset the count.
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, (window + 1) * period - now)

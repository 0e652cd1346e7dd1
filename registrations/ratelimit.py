"""Fixed-window request counters in Django's cache: the public registration form's, and the
registration API's per-address limit.

Why not django-ratelimit, or DRF's ``AnonRateThrottle`` for the API: one counter per client is
all either needs, and the project's "default" cache (Redis in production) already gives atomic
increments shared by every worker. DRF's throttle keeps a list of timestamps per client (a get and
a set of a pickled list per request), and only DRF's view could count with it. Two code paths
answer ``POST /api/v1/events/<slug>/registrations/``: DRF's view and the middleware that answers
the everyday registration before DRF runs. Both call ``api_registration_hit`` on the same Django
``HttpRequest``, which counts the request once against one counter and keeps the answer on the
request for the other path.

Windows are fixed, aligned on multiples of the period so that all workers agree on them. A client
can therefore send up to twice the limit across a window boundary (the limit at the end of one
window, the limit again at the start of the next).

With Django's ``RedisCache``, a hit is one round trip (INCR and EXPIRE in a Lua script), and a Redis
error lets the request through (see ``hit``). Any other cache backend counts with add() and
incr(); with the local-memory cache of development and tests, each process counts on its own.

Usage::

    retry_after = hit(f"register:{event.pk}:{client_ip(request)}", limit=10, period=60)
    if retry_after is not None:
        ...  # answer 429 with a Retry-After header of ``retry_after`` seconds

    retry_after = api_registration_hit(request)  # the API's limit, counted once per request
"""

import logging
import time
import weakref

import redis
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

API_RATE_SCOPE = "registration_create"
"""The scope of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` that sets the API's limit."""

# DRF reads a rate's period from its first letter: "s", "sec" and "second" alike.
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

_NOT_COUNTED = object()


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

    Past the limit, returns the seconds until the current window ends (for Retry-After, at
    least 1). Windows are aligned on multiples of ``period`` so that all workers agree on them.
    The counter is the cache entry ``ratelimit:<key>:<window number>``, an int that ``cache.get``
    reads, kept for ``period + 1`` seconds.

    With Redis, a Redis error fails open: the request is allowed (None) and a warning is logged
    that names the kind of counter (``key`` up to its first colon), never the client. A
    registrant is not refused for the cache's fault; the limit is off while Redis is.
    """
    cache = caches["default"]
    now = int(time.time())
    window = now // period
    cache_key = f"ratelimit:{key}:{window}"
    if isinstance(cache, RedisCache):
        try:
            count = _count_in_redis(cache, cache_key, timeout=period + 1)
        except redis.RedisError as error:
            logger.warning(
                "Rate limit %r not counted, request allowed: %s from Redis",
                key.split(":", 1)[0],
                type(error).__name__,
            )
            return None
    else:
        count = _count_in_cache(cache, cache_key, timeout=period + 1)
    if count <= limit:
        return None
    return max(1, (window + 1) * period - now)


# INCR starts a missing key at 1; the new key gets its expiry in the same atomic step.
COUNT_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n"
)


def _count_in_redis(cache: RedisCache, cache_key: str, *, timeout: int) -> int:
    """INCR, and EXPIRE for a new key, in one command and one round trip (a Lua script).

    Django's RedisSerializer stores ints unpickled, so the counter stays readable by
    ``cache.get``.
    """
    key = cache.make_and_validate_key(cache_key)
    return int(_client(cache, key).eval(COUNT_SCRIPT, 1, key, timeout))


# Django's RedisCache makes a client object per operation (about 0.1 ms of CPU); one per
# connection pool does the same work, the pool giving each command its connection.
_clients: "weakref.WeakKeyDictionary[object, redis.Redis]" = weakref.WeakKeyDictionary()


def _client(cache: RedisCache, key: str) -> redis.Redis:
    pool = cache._cache._get_connection_pool(True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = cache._cache.get_client(key, write=True)
    return client


def _count_in_cache(cache: BaseCache, cache_key: str, *, timeout: int) -> int:
    # add() is a no-op when the key exists, so concurrent first hits cannot reset the count.
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=timeout)
        return 1


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """(requests, seconds) from DRF's rate syntax, e.g. "20/minute" → (20, 60); None for None.

    As in DRF, the period is read from its first letter: second, minute, hour or day, in full
    or shortened ("5/s", "100/hour", "10/min"). Raises ValueError for anything else.
    """
    if rate is None:
        return None
    number, slash, period = rate.partition("/")
    number, period = number.strip(), period.strip()
    if not (
        slash
        and number.isascii()
        and number.isdigit()
        and period.isascii()
        and period.isalpha()
        and period[0] in PERIODS
    ):
        raise ValueError(
            f"Malformed rate {rate!r}: expected '<requests>/<period>' with a whole number of "
            "requests and a period of second, minute, hour or day, e.g. '20/minute'."
        )
    return int(number), PERIODS[period[0]]


def api_registration_hit(request: HttpRequest) -> int | None:
    """Counts ``request`` once against the registration API's per-address limit.

    The limit is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["registration_create"]``, read at
    each call; without it, nothing is counted and the answer is None. The client is what DRF's
    throttles call it (``BaseThrottle.get_ident``: X-Forwarded-For as ``NUM_PROXIES`` allows,
    else the connecting address), counted under ``api-register:<ident>`` by ``hit``, whose
    answer this returns: None within the limit, else the seconds to wait.

    The answer is kept on the request (``request._registration_rate``): a second call for the
    same request, from the other code path, returns it without counting again.
    """
    # A DRF Request would keep the answer on itself, out of sight of the Django request's path.
    request = getattr(request, "_request", request)
    answer = getattr(request, "_registration_rate", _NOT_COUNTED)
    if answer is not _NOT_COUNTED:
        return answer
    rate = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(API_RATE_SCOPE))
    if rate is None:
        answer = None
    else:
        limit, period = rate
        ident = BaseThrottle().get_ident(request)
        answer = hit(f"api-register:{ident}", limit=limit, period=period)
    request._registration_rate = answer
    return answer

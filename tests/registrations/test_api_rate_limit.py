"""The registration API's per-address limit (``registrations.ratelimit``): one count per request,
shared by every path that answers it, one round trip to Redis, open when Redis is not."""

import logging
import os
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from rest_framework.request import Request

from registrations import ratelimit
from registrations.api.views import RegistrationCreateThrottle
from registrations.models import Registration
from tests.conftest import need
from tests.factories.registrations import open_event
from tests.registrations.test_api import post_registration

# 15 s into a minute: a one-minute window ends 45 s later.
NOW = 20_000 * 86400 + 15
MINUTE = NOW // 60


@pytest.fixture
def clock(monkeypatch):
    """The counters' clock stands still, so no test crosses a window's end by chance."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW))


@pytest.fixture
def api_rate(settings):
    def set_rate(rate: str | None) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "registration_create": rate,
            },
        }

    return set_rate


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    need(bool(url), "needs Redis (set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on Redis, under a key prefix of its own, removed afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    cache = caches["default"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def api_post(rf, address: str = "127.0.0.1", headers=None):
    return rf.post("/api/v1/events/x/registrations/", REMOTE_ADDR=address, headers=headers)


# --- once per request ----------------------------------------------------------------------------


def test_api_registration_hit_counts_a_request_once_when_called_twice(client, rf, api_rate, clock):
    api_rate("2/minute")
    event = open_event()
    request = api_post(rf)

    first = ratelimit.api_registration_hit(request)
    second = ratelimit.api_registration_hit(request)
    allowed = post_registration(client, event, 0)
    refused = post_registration(client, event, 1)

    assert (first, second) == (None, None)
    assert allowed.status_code == 201
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert Registration.objects.count() == 1


def test_api_registration_hit_returns_the_first_answer_again(rf, api_rate, clock):
    api_rate("1/minute")
    ratelimit.api_registration_hit(api_post(rf))
    request = api_post(rf)

    answers = [ratelimit.api_registration_hit(request) for _ in range(3)]

    assert answers == [45, 45, 45]
    assert caches["default"].get(f"ratelimit:api-register:127.0.0.1:{MINUTE}") == 2


def test_api_registration_hit_counts_the_address_drf_names(rf, settings, api_rate, clock):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_rate("5/minute")

    ratelimit.api_registration_hit(
        api_post(rf, "10.0.0.2", {"x-forwarded-for": "192.0.2.66, 198.51.100.9"})
    )

    cache = caches["default"]
    assert cache.get(f"ratelimit:api-register:198.51.100.9:{MINUTE}") == 1
    assert cache.get(f"ratelimit:api-register:10.0.0.2:{MINUTE}") is None


def test_api_registration_hit_without_rate_counts_nothing(rf, api_rate, clock):
    api_rate(None)

    answer = ratelimit.api_registration_hit(api_post(rf))

    assert answer is None
    assert caches["default"].get(f"ratelimit:api-register:127.0.0.1:{MINUTE}") is None


def test_create_throttle_leaves_signed_in_users_to_their_own_limit(client, api_rate):
    api_rate("1/minute")
    client.force_login(get_user_model().objects.create_user("organiser", is_staff=True))
    event = open_event()

    responses = [post_registration(client, event, n) for n in range(3)]

    assert [response.status_code for response in responses] == [201, 201, 201]


# --- parse_rate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("20/minute", (20, 60)),
        ("5/s", (5, 1)),
        ("100/hour", (100, 3600)),
        ("1000/day", (1000, 86400)),
        ("10/min", (10, 60)),
        ("3/sec", (3, 1)),
        (" 7 / h ", (7, 3600)),
        ("0/minute", (0, 60)),
        (None, None),
    ],
)
def test_parse_rate_reads_drf_rates(rate, parsed):
    assert ratelimit.parse_rate(rate) == parsed


@pytest.mark.parametrize(
    "rate",
    ["", "20", "20/", "/minute", "twenty/minute", "-1/minute", "2.5/minute", "20/week",
     "20/Minute", "20/5m", "20/minute/2", "٣/minute"],
)  # fmt: skip
def test_parse_rate_refuses_malformed_rate(rate):
    with pytest.raises(ValueError, match="Malformed rate"):
        ratelimit.parse_rate(rate)


# --- Redis ---------------------------------------------------------------------------------------


def test_hit_in_redis_counts_within_and_over_limit(redis_cache, clock):
    answers = [ratelimit.hit("test:client", limit=2, period=60) for _ in range(4)]

    assert answers == [None, None, 45, 45]
    assert redis_cache.get(f"ratelimit:test:client:{MINUTE}") == 4


def test_hit_in_redis_keeps_an_int_for_at_most_period_plus_one(redis_cache, clock):
    ratelimit.hit("test:client", limit=2, period=60)

    key = redis_cache.make_and_validate_key(f"ratelimit:test:client:{MINUTE}")
    ttl = redis_cache._cache.get_client(key).ttl(key)
    value = redis_cache.get(f"ratelimit:test:client:{MINUTE}")
    assert 0 < ttl <= 61
    assert (type(value), value) == (int, 1)


def test_hit_in_redis_and_api_registration_hit_share_the_counter(rf, redis_cache, api_rate, clock):
    api_rate("2/minute")

    by_api = ratelimit.api_registration_hit(api_post(rf))
    by_hit = ratelimit.hit("api-register:127.0.0.1", limit=2, period=60)
    over = ratelimit.api_registration_hit(api_post(rf))

    assert (by_api, by_hit, over) == (None, None, 45)
    assert redis_cache.get(f"ratelimit:api-register:127.0.0.1:{MINUTE}") == 3


def test_hit_in_redis_continues_a_count_begun_by_add_and_incr(redis_cache, clock):
    redis_cache.add(f"ratelimit:test:client:{MINUTE}", 0, timeout=61)
    redis_cache.incr(f"ratelimit:test:client:{MINUTE}")

    answer = ratelimit.hit("test:client", limit=1, period=60)

    assert answer == 45
    assert redis_cache.get(f"ratelimit:test:client:{MINUTE}") == 2


# --- Redis unreachable ---------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """Points the default cache at a closed port."""

    def take_down() -> None:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            },
        }

    return take_down


def test_api_registration_hit_fails_open_when_redis_is_down(rf, api_rate, redis_down, caplog):
    api_rate("1/minute")
    redis_down()

    with caplog.at_level(logging.WARNING, logger="registrations.ratelimit"):
        answers = [ratelimit.api_registration_hit(api_post(rf)) for _ in range(2)]

    assert answers == [None, None]
    messages = [record.getMessage() for record in caplog.records]
    assert (
        messages
        == ["Rate limit 'api-register' not counted, request allowed: ConnectionError from Redis"]
        * 2
    )
    assert all(record.levelname == "WARNING" for record in caplog.records)


def test_create_throttle_allows_when_redis_is_down(rf, api_rate, redis_down):
    api_rate("1/minute")
    redis_down()
    throttle = RegistrationCreateThrottle()

    allowed = [throttle.allow_request(Request(api_post(rf)), view=None) for _ in range(2)]

    assert allowed == [True, True]
    assert throttle.wait() is None

"""The production cache and broker: Redis, named by TEST_REDIS_URL (CI sets it)."""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from eventsite.celery import app as celery_app
from tests.conftest import need


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    need(bool(url), "needs Redis (set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0)")
    return url


def test_redis_cache_round_trip(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})

    cache.set("greeting", {"en": "Welcome", "fr": "Bienvenue"}, timeout=30)

    assert cache.get("greeting") == {"en": "Welcome", "fr": "Bienvenue"}
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_redis_accepts_celery_broker_connection(redis_url):
    with celery_app.connection_for_write(redis_url) as connection:
        connection.ensure_connection(max_retries=1)

        assert connection.connected is True

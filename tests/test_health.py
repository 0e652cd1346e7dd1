"""/healthz: the database and the broker, for load balancers, fast and without details."""

import os
import socket
import threading

import pytest
from django.db import connection

from eventsite import health
from eventsite.celery import app as celery_app
from tests.conftest import need
from tests.production.conftest import dropped_connection

pytestmark = pytest.mark.django_db

ANSWER_KEYS = {"status", "database", "broker"}


@pytest.fixture
def broker(monkeypatch):
    """Points Celery at ``url`` as CELERY_BROKER_URL does in production."""

    def point(url: str) -> None:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setattr(celery_app, "_pool", None)

    return point


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers, like a hung broker."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def test_healthz_without_broker_is_healthy_and_eager(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_with_reachable_broker_is_ok(client, broker):
    url = os.environ.get("TEST_REDIS_URL", "")
    need(bool(url), "needs Redis (set TEST_REDIS_URL)")
    broker(url)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_with_broker_down_is_503_without_details(client, broker):
    broker("redis://:s3cret-password@127.0.0.1:9/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}
    body = response.content.decode()
    for detail in ("127.0.0.1", "s3cret", "redis", "refused"):
        assert detail not in body


def test_healthz_gives_up_on_a_broker_that_does_not_answer(broker, silent_server):
    broker(f"redis://127.0.0.1:{silent_server}/0")
    results = []

    checker = threading.Thread(target=lambda: results.append(health.check_broker()))
    checker.start()
    # Far beyond the check's own timeouts: without them the thread would hang here.
    checker.join(timeout=20)

    assert health.BROKER_TIMEOUT <= 2
    assert results == ["error"]


def test_healthz_costs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert set(response.json()) == ANSWER_KEYS


def test_healthz_answers_any_host_and_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["events.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert page.status_code == 400


def test_healthz_is_not_throttled_nor_cached(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "1/minute",
            "anon": "1/minute",
        },
    }

    statuses = {client.get("/healthz").status_code for _ in range(5)}

    assert statuses == {200}


def test_healthz_refuses_posts(client):
    response = client.post("/healthz")

    assert response.status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_with_database_unreachable_is_503(client, postgres):
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "9"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "broker": "eager"}
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_after_a_dropped_connection_reconnects_and_is_ok(client, postgres):
    with dropped_connection():
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"

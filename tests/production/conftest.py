import os
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from eventsite.celery import app as celery_app
from tests.conftest import need


@pytest.fixture
def redis_url() -> str:
    """The Redis of TEST_REDIS_URL (CI sets it; locally e.g. redis://127.0.0.1:6379/5)."""
    url = os.environ.get("TEST_REDIS_URL", "")
    need(bool(url), "needs Redis (set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/5)")
    return url


@pytest.fixture
def celery_broker(monkeypatch):
    """Points this process's Celery at a broker, as CELERY_BROKER_URL does in production."""
    saved = {}

    def point(url: str, **changes) -> None:
        changes = {"task_always_eager": False, "broker_url": url, **changes}
        for key in changes:
            saved.setdefault(key, celery_app.conf[key])
        celery_app.conf.update(changes)
        # The connection and producer pools are made on first use from the broker URL of that
        # moment; monkeypatch puts the earlier ones back afterwards.
        monkeypatch.setattr(celery_app, "_pool", None)
        monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)

    yield point
    # The pools stay open: kombu keeps them per broker address for the whole process.
    celery_app.conf.update(saved)


def other_connection() -> psycopg.Connection:
    """A second connection to the test database, as another client of the server would be."""
    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    return psycopg.connect(**{key: params[key] for key in keys if params.get(key)}, autocommit=True)


@contextmanager
def dropped_connection():
    """Cuts this process's database connection from the server's side, as a restart, a failover
    or an administrator would, between two requests."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with other_connection() as other:
        terminated = other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    assert terminated is True
    yield

"""Handing outbox emails to Celery (registrations/dispatch.py): at once, or gathered per process."""

import base64
import json
import logging
import os
import time
import uuid

import pytest
from django.core import mail

from eventsite.celery import app as celery_app
from registrations import dispatch, services, tasks
from registrations.enums import EmailStatus
from registrations.models import OutboxEmail
from tests.conftest import need
from tests.factories.registrations import open_event, registration_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch, settings):
    """Celery publishing to a queue of its own on a real Redis (TEST_REDIS_URL), gathering the
    emails of 50 ms; returns a function giving the messages queued."""
    url = os.environ.get("TEST_REDIS_URL", "")
    need(bool(url), "needs Redis (set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0)")
    queue = f"test-{uuid.uuid4().hex}"
    changes = {
        "task_always_eager": False,
        "broker_url": url,
        "task_default_queue": queue,
        "task_publish_retry": False,
    }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    # The connection and producer pools are made on first use from the broker URL of that
    # moment, perhaps another test's.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    monkeypatch.setattr(dispatch, "_gatherer", dispatch.Gatherer())
    settings.EMAIL_DISPATCH_WINDOW_MS = 50
    import redis

    client = redis.Redis.from_url(url)

    def queued() -> list[tuple[str, list]]:
        messages = []
        for message in client.lrange(queue, 0, -1):
            envelope = json.loads(message)
            args = json.loads(base64.b64decode(envelope["body"]))[0]
            messages.append((envelope["headers"]["task"], args))
        return messages

    yield queued
    client.delete(queue)
    celery_app.conf.update(saved)


def wait_for(check, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


def test_dispatch_soon_without_a_broker_sends_at_once(settings, mailoutbox, monkeypatch):
    settings.EMAIL_DISPATCH_WINDOW_MS = 20  # no broker: Celery runs tasks in the process
    gatherer = dispatch.Gatherer()
    monkeypatch.setattr(dispatch, "_gatherer", gatherer)
    registration = services.register(event=open_event(), request=registration_request())
    email = OutboxEmail.objects.get(registration=registration.registration)

    dispatch.dispatch_soon(email.pk)

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mailoutbox) == 1
    assert gatherer._pid is None  # no thread started


def test_dispatch_soon_gathers_a_processes_emails_into_one_task(
    broker, django_capture_on_commit_callbacks
):
    event = open_event()

    with django_capture_on_commit_callbacks(execute=True):
        made = [
            services.register(event=event, request=registration_request(n)).registration
            for n in range(3)
        ]

    ids = sorted(OutboxEmail.objects.filter(registration__in=made).values_list("pk", flat=True))
    assert wait_for(lambda: broker() != [])
    time.sleep(0.1)  # nothing more comes
    assert broker() == [("registrations.tasks.send_emails", [ids])]


def test_dispatch_soon_window_of_zero_queues_a_task_per_email(
    broker, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_DISPATCH_WINDOW_MS = 0
    event = open_event()

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            services.register(event=event, request=registration_request(n))

    assert [task for task, _args in broker()] == ["registrations.tasks.send_email"] * 2


def test_gatherer_publishes_again_after_a_broker_outage(monkeypatch, caplog):
    published: list[list[int]] = []
    failures = iter([True, False])

    def delay(ids):
        if next(failures):
            raise ConnectionError("broker down")
        published.append(ids)

    monkeypatch.setattr(tasks.send_emails, "delay", delay)
    gatherer = dispatch.Gatherer()

    with caplog.at_level(logging.WARNING, logger="registrations.dispatch"):
        gatherer.add(1, window=0.01)
        assert wait_for(lambda: "stay pending" in caplog.text)
        gatherer.add(2, window=0.01)
        assert wait_for(lambda: published != [])

    # The first email stays pending in the outbox for the periodic sweep; the thread goes on.
    assert published == [[2]]
    assert "1 outbox emails stay pending" in caplog.text


def test_gatherer_flush_in_a_forked_process_leaves_the_parents_emails(monkeypatch):
    published: list[list[int]] = []
    monkeypatch.setattr(dispatch, "publish", published.append)
    gatherer = dispatch.Gatherer()
    gatherer._waiting = [7]
    gatherer._pid = os.getpid() + 1  # as a child sees its parent's gatherer after fork

    gatherer.flush()

    assert published == []


def test_gatherer_flush_publishes_what_is_waiting(monkeypatch):
    published: list[list[int]] = []
    monkeypatch.setattr(dispatch, "publish", published.append)
    gatherer = dispatch.Gatherer()
    gatherer._waiting, gatherer._pid = [3, 4], os.getpid()

    gatherer.flush()
    gatherer.flush()

    assert published == [[3, 4]]


def test_send_emails_sends_each_and_retries_a_temporary_failure_alone(monkeypatch):
    event = open_event()
    made = [
        services.register(event=event, request=registration_request(n)).registration
        for n in range(2)
    ]
    first, second = OutboxEmail.objects.filter(registration__in=made).order_by("pk")
    retried: list[tuple] = []
    monkeypatch.setattr(
        tasks.send_email, "apply_async", lambda args, countdown: retried.append((args, countdown))
    )
    real_deliver = tasks.deliver

    def deliver(email_id):
        if email_id == second.pk:
            OutboxEmail.objects.filter(pk=email_id).update(
                attempts=1, next_attempt_at=first.created_at.replace(year=2100)
            )
            return EmailStatus.PENDING
        return real_deliver(email_id)

    monkeypatch.setattr(tasks, "deliver", deliver)
    mail.outbox = []

    ended = tasks.send_emails.run([first.pk, second.pk])

    assert ended == {EmailStatus.SENT: 1, EmailStatus.PENDING: 1}
    assert [args for args, _countdown in retried] == [(second.pk,)]
    assert retried[0][1] > 60
    assert len(mail.outbox) == 1

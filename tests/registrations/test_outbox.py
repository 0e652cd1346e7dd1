from datetime import timedelta

import pytest
from django.utils import timezone

from eventsite.celery import app as celery_app
from registrations import services
from registrations.enums import EmailStatus
from registrations.mail import deliver, send_due_emails
from registrations.models import OutboxEmail, Registration
from tests.factories.registrations import open_event, registration_request
from tests.smtp import FakeSMTPServer
from webhooks import routing

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    def serve(replies):
        server = FakeSMTPServer(replies)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        return server

    return serve


@pytest.fixture
def broker_down(monkeypatch):
    """Celery pointed at a port where no broker listens, publishing without retries."""
    changes = {
        "task_always_eager": False,
        "broker_url": "redis://127.0.0.1:9/0",
        "task_publish_retry": False,
        "broker_connection_timeout": 0.5,
    }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    # The producer pool is made on first use from the broker URL of that moment.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield
    celery_app.conf.update(saved)


def test_registration_during_broker_outage_is_kept_and_email_sent_later(
    broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    event = open_event()

    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(event=event, request=registration_request()).registration

    email = OutboxEmail.objects.get(registration=registration)
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert email.status == EmailStatus.PENDING
    assert mailoutbox == []

    sent = send_due_emails(now=timezone.now() + timedelta(minutes=2))
    again = send_due_emails(now=timezone.now() + timedelta(minutes=3))

    email.refresh_from_db()
    assert (sent, again) == (1, 0)
    assert email.status == EmailStatus.SENT
    assert len(mailoutbox) == 1


def test_api_registration_while_redis_is_down_is_kept_for_the_sweep(
    broker_down, settings, client, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis holding both the broker and the cache, and down: the registration is made and
    its email waits in the outbox (the rate limit and the webhooks' routes do without it)."""
    event = open_event()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    monkeypatch.setattr(routing, "_kept", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/events/{event.slug}/registrations/",
            {
                "first_name": "Ana",
                "last_name": "Novak",
                "email": "ana@example.org",
                "organisation_name": "Ministry of Labour",
                "organisation_type": "national_authority",
                "organisation_country": "SI",
                "privacy_accepted": True,
            },
            content_type="application/json",
        )

    assert response.status_code == 201
    email = OutboxEmail.objects.get(registration__person__email="ana@example.org")
    assert email.status == EmailStatus.PENDING


def test_temporary_smtp_failure_is_retried_and_sent_once(smtp):
    registration = services.register(
        event=open_event(), request=registration_request()
    ).registration
    email = OutboxEmail.objects.get(registration=registration)

    with smtp([421]) as server:
        first = deliver(email.pk)
        email.refresh_from_db()
        assert (first, email.attempts) == (EmailStatus.PENDING, 1)
        assert "421" in email.last_error
        assert email.next_attempt_at > timezone.now()

        early = send_due_emails(now=timezone.now())
        due = send_due_emails(now=email.next_attempt_at + timedelta(seconds=1))

    email.refresh_from_db()
    assert (early, due) == (0, 1)
    assert email.status == EmailStatus.SENT
    assert len(server.messages) == 1


def test_permanent_smtp_failure_is_marked_failed(smtp):
    registration = services.register(
        event=open_event(), request=registration_request()
    ).registration
    email = OutboxEmail.objects.get(registration=registration)

    with smtp([550]) as server:
        status = deliver(email.pk)
        later = send_due_emails(now=timezone.now() + timedelta(days=1))

    email.refresh_from_db()
    assert status == EmailStatus.FAILED
    assert later == 0
    assert "550" in email.last_error
    assert server.messages == []


def test_deliver_twice_sends_once(mailoutbox):
    registration = services.register(
        event=open_event(), request=registration_request()
    ).registration
    email = OutboxEmail.objects.get(registration=registration)

    deliver(email.pk)
    deliver(email.pk)

    assert len(mailoutbox) == 1


def test_reminders_are_queued_once_for_events_starting_within_a_day():
    now = timezone.now()
    soon = open_event(start=now + timedelta(hours=20), registration_closes=now + timedelta(hours=1))
    later = open_event()
    services.register(event=soon, request=registration_request(1))
    services.register(event=later, request=registration_request(2))

    first = services.send_due_reminders(now=now)
    second = services.send_due_reminders(now=now)

    assert (first, second) == (1, 0)
    assert OutboxEmail.objects.filter(kind="reminder").get().to == "ana1@example.org"


def test_email_rendered_once_is_sent_the_same_on_retry(smtp):
    registration = services.register(
        event=open_event(), request=registration_request(0, first_name="Ana")
    ).registration
    email = OutboxEmail.objects.get(registration=registration)

    with smtp([421]) as server:
        first = deliver(email.pk)
        email.refresh_from_db()
        rendered = (email.body_text, email.body_html, email.attachments)
        registration.person.first_name = "Anna"
        registration.person.save()
        second = deliver(email.pk)

    email.refresh_from_db()
    assert (first, second) == (EmailStatus.PENDING, EmailStatus.SENT)
    assert (email.body_text, email.body_html, email.attachments) == rendered
    assert rendered[0].startswith("Dear Ana,")
    assert len(server.messages) == 1

"""The production path end to end, with a real Celery worker on PostgreSQL and Redis.

A registration comes in through the API; its email is written to the outbox in the same
transaction and handed to the broker on commit; the worker (another process, as in production)
sends it through an SMTP server and marks the row sent. Then the faults: the broker gone while
people register, a mail server that answers "try later" once, one that refuses.

Time is moved on where the site waits for it (the sweep takes emails older than a minute, a
retry waits out its backoff): the rows' times are set back, nothing else is mocked.
"""

import shutil
from datetime import timedelta

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from registrations.enums import EmailKind, EmailStatus
from registrations.models import OutboxEmail
from registrations.tasks import send_pending_emails
from tests.conftest import need
from tests.factories.registrations import PrivacyNoticeFactory, open_event
from tests.smtp import FakeSMTPServer

from .worker import RedisServer, Worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _services(postgres):
    PrivacyNoticeFactory(version="2026-01")


@pytest.fixture
def clean_broker(redis_url) -> str:
    """TEST_REDIS_URL without Celery messages left by an earlier, interrupted run."""
    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    client.close()
    return redis_url


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(*, broker_url: str, smtp: FakeSMTPServer) -> Worker:
        worker = Worker(
            broker_url=broker_url, smtp_port=smtp.port, log_path=tmp_path / "worker.log"
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def redis_server(tmp_path):
    need(shutil.which("redis-server") is not None, "needs redis-server (apt install redis-server)")
    server = RedisServer(tmp_path / "redis.log")
    yield server.start()
    server.stop()


def register(client, event, n: int):
    return client.post(
        f"/api/v1/events/{event.slug}/registrations/",
        {
            "first_name": f"Ana{n}",
            "last_name": "Novak",
            "email": f"ana{n}@example.org",
            "organisation_name": "Ministry of Labour",
            "organisation_type": "national_authority",
            "organisation_country": "SI",
            "job_title": "Adviser",
            "privacy_accepted": True,
        },
        content_type="application/json",
    )


def confirmation(n: int) -> OutboxEmail:
    return OutboxEmail.objects.get(to=f"ana{n}@example.org", kind=EmailKind.CONFIRMATION)


def recipients(smtp: FakeSMTPServer) -> list[str]:
    found = []
    for message in smtp.messages:
        for line in message.splitlines():
            if line.lower().startswith("to:"):
                found.append(line.split(":", 1)[1].strip())
    return sorted(found)


def a_minute_passes(emails) -> None:
    """What the clock would do: pending emails become due for the periodic sweep."""
    emails.update(
        created_at=F("created_at") - timedelta(minutes=2),
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )


def test_registration_email_is_sent_by_the_worker_and_marked_sent(
    client, clean_broker, celery_broker, start_worker
):
    event = open_event()
    with FakeSMTPServer() as smtp:
        worker = start_worker(broker_url=clean_broker, smtp=smtp)
        celery_broker(clean_broker)

        response = register(client, event, 1)

        assert response.status_code == 201
        email = confirmation(1)
        wait_until(
            lambda: OutboxEmail.objects.get(pk=email.pk).status == EmailStatus.SENT,
            what="the worker to send the confirmation",
        )
        worker.stop()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
    assert email.sent_at is not None
    assert recipients(smtp) == ["ana1@example.org"]
    # The worker logs in JSON, and names no one.
    assert any("send_email" in message for message in worker.messages())
    assert "ana1@example.org" not in worker.output()


def test_broker_stopped_while_people_register_sends_each_email_once_when_it_returns(
    client, redis_server, celery_broker, start_worker
):
    event = open_event()
    with FakeSMTPServer() as smtp:
        worker = start_worker(broker_url=redis_server.url, smtp=smtp)
        celery_broker(redis_server.url, broker_connection_timeout=1)

        redis_server.stop()
        responses = [register(client, event, n) for n in range(3)]

        assert [response.status_code for response in responses] == [201, 201, 201]
        pending = OutboxEmail.objects.filter(kind=EmailKind.CONFIRMATION)
        assert sorted(pending.values_list("status", flat=True)) == [EmailStatus.PENDING] * 3
        assert smtp.messages == []

        redis_server.start()
        worker.wait_for(
            lambda message: message.startswith("Connected to redis"),
            what="the worker to reconnect",
            count=2,
        )
        a_minute_passes(pending)
        # Two sweeps at once, as two beat ticks that overlap would: each email still goes once.
        sweeps = [send_pending_emails.apply_async() for _ in range(2)]
        wait_until(
            lambda: set(pending.values_list("status", flat=True)) == {EmailStatus.SENT},
            what="the sweep to send the pending emails",
        )
        for sweep in sweeps:
            worker.wait_for_task(sweep.id)
        worker.stop()

    assert recipients(smtp) == ["ana0@example.org", "ana1@example.org", "ana2@example.org"]
    assert list(pending.values_list("attempts", flat=True)) == [1, 1, 1]


def test_mail_server_saying_try_later_then_accepting_sends_one_email(
    client, clean_broker, celery_broker, start_worker
):
    event = open_event()
    with FakeSMTPServer(replies=[421]) as smtp:
        worker = start_worker(broker_url=clean_broker, smtp=smtp)
        celery_broker(clean_broker)

        assert register(client, event, 1).status_code == 201
        email = confirmation(1)
        wait_until(
            lambda: OutboxEmail.objects.get(pk=email.pk).attempts == 1,
            what="the first attempt",
        )
        email.refresh_from_db()
        assert (email.status, smtp.messages) == (EmailStatus.PENDING, [])
        assert "421" in email.last_error

        a_minute_passes(OutboxEmail.objects.filter(pk=email.pk))
        sweep = send_pending_emails.apply_async()
        worker.wait_for_task(sweep.id)
        worker.stop()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 2, "")
    assert recipients(smtp) == ["ana1@example.org"]


def test_mail_server_refusing_marks_email_failed_and_organisers_see_it(
    client, clean_broker, celery_broker, start_worker
):
    event = open_event()
    with FakeSMTPServer(replies=[550]) as smtp:
        start_worker(broker_url=clean_broker, smtp=smtp)
        celery_broker(clean_broker)

        assert register(client, event, 1).status_code == 201
        email = confirmation(1)
        wait_until(
            lambda: OutboxEmail.objects.get(pk=email.pk).status == EmailStatus.FAILED,
            what="the worker to give up on the email",
        )

    email.refresh_from_db()
    assert "550" in email.last_error
    assert (email.attempts, email.next_attempt_at, smtp.messages) == (1, None, [])

    organiser = get_user_model().objects.create_user("organiser", is_staff=True)
    organiser.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registrations",
            codename__in=["view_outboxemail", "view_registration"],
        )
    )
    client.force_login(organiser)
    outbox = client.get(
        reverse("admin:registrations_outboxemail_changelist"), {"status__exact": "failed"}
    )
    registration_page = client.get(
        reverse("admin:registrations_registration_change", args=[email.registration_id])
    )

    assert outbox.status_code == 200
    assert list(outbox.context["cl"].result_list) == [email]
    assert registration_page.status_code == 200
    page = registration_page.content.decode()
    assert "Failed" in page
    assert "550" in page

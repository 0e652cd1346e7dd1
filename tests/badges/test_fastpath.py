"""The door's fast path (badges/fastpath/) against the API view it stands in for.

Each scan is made twice from the same state, once answered by the fast path and once by the
view (``CHECKIN_FAST_PATH = False``), each inside a savepoint rolled back afterwards: the status,
the headers, the answer (its keys in the same order) and every row a scan writes must be the
same. The clock is stopped, so both write the same times; the ids of rows a scan makes come
from sequences, which a rollback does not rewind, so check-ins are compared by their position.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from badges import services
from badges.codes import new_code
from badges.fastpath import sql
from badges.models import Badge, CheckIn, Device, ScanLog
from badges.signals import checkin_recorded
from registrations.enums import RegistrationStatus
from registrations.models import AuditEntry
from tests.factories import EventFactory, SessionFactory
from tests.factories.badges import BadgeFactory, CheckInFactory, DeviceFactory
from tests.factories.tokens import api_token
from tests.factories.webhooks import WebhookFactory
from webhooks import routing
from webhooks.models import WebhookDelivery

from .conftest import CHECKIN_URL, device_client, scan

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _on_postgres(postgres, monkeypatch):
    """PostgreSQL, its connections kept between requests as in production (CONN_MAX_AGE): the
    fast path stands aside when they are not (see the last test)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    """The clock, stopped an hour ahead (devices were last seen more than a minute ago)."""
    moment = timezone.now().replace(microsecond=123450) + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"].split()[0].upper()
        for query in queries.captured_queries
        if query["sql"].split()[0].upper() not in TRANSACTION_CONTROL
    ]


def state(response) -> dict:
    """The answer and every row a scan may touch, with check-ins numbered by position."""
    checkins = list(CheckIn.objects.order_by("pk").values())
    position = {row.pop("id"): n for n, row in enumerate(checkins)}

    def numbered(answer):
        if isinstance(answer, dict) and isinstance(answer.get("checkin"), dict):
            checkin = answer["checkin"]
            return {**answer, "checkin": {**checkin, "id": position.get(checkin["id"])}}
        return answer

    logs = list(ScanLog.objects.order_by("pk").values())
    for log in logs:
        log.pop("id")
        log["checkin_id"] = position.get(log["checkin_id"])
        log["response"] = numbered(log["response"])
    headers = dict(response.headers)
    assert int(headers.pop("Content-Length")) == len(response.content)
    body = numbered(json.loads(response.content)) if response.content else None
    return {
        "status": response.status_code,
        "headers": headers,
        # as sent: the order of the keys counts
        "body": json.dumps(body, ensure_ascii=False),
        "checkins": checkins,
        "logs": logs,
        "devices": list(Device.objects.order_by("pk").values_list("pk", "last_seen_at")),
        "badges": list(Badge.objects.order_by("pk").values()),
    }


def in_a_world(send) -> tuple[list[dict], list[str]]:
    """What ``send`` answers and writes, and the statements it ran; then all of it undone."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            responses = send()
        ran = statements(queries)
        seen = [state(response) for response in responses]
        transaction.set_rollback(True)
    return seen, ran


def both_ways(settings, send) -> tuple[list[dict], list[dict], list[str]]:
    """The states after ``send`` through the fast path and through the view, and the statements
    the fast path's way ran."""
    routing.routes()  # as at a door already working: no webhook, known to the cache
    settings.CHECKIN_FAST_PATH = True
    fast, ran = in_a_world(send)
    settings.CHECKIN_FAST_PATH = False
    view, _ran = in_a_world(send)
    return fast, view, ran


def scans(client: APIClient, event, code: str, *keys: str):
    def send():
        return [scan(client, event, code, idempotency_key=key) for key in keys]

    return send


@pytest.fixture
def at_the_door(settings, client_of_device, event, badge, device):
    """Scans ``badge`` (or another code) and compares the two ways; returns the fast path's."""

    def compare(code=None, *, client=None, keys=("k-1",), answered=True):
        send = scans(client or client_of_device, event, code or badge.code, *keys)
        fast, view, ran = both_ways(settings, send)
        assert fast == view
        if answered:
            assert ran == ["WITH"] * len(keys)
        else:
            assert ran[:1] != ["WITH"] or len(ran) > len(keys)
        return fast

    device.last_seen_at = timezone.now() - timedelta(minutes=5)
    device.save(update_fields=["last_seen_at"])
    return compare


# --- every answer the same as the view's ---------------------------------------------------------


def test_fastpath_checked_in_is_the_views_answer(at_the_door):
    (seen,) = at_the_door()

    assert json.loads(seen["body"])["result"] == "checked_in"
    assert len(seen["checkins"]) == 1
    assert seen["logs"][0]["result"] == "checked_in"


def test_fastpath_writes_last_seen_at_most_once_a_minute(at_the_door, device, now):
    device.last_seen_at = now - timedelta(seconds=5)
    device.save(update_fields=["last_seen_at"])

    (seen,) = at_the_door()

    assert seen["devices"] == [(device.pk, now - timedelta(seconds=5))]


def test_fastpath_device_seeing_needs_gets_them_as_from_the_view(at_the_door, event):
    desk = DeviceFactory(events=[event], shows_accessibility_needs=True)

    (seen,) = at_the_door(client=device_client(desk))

    assert "step-free" in json.loads(seen["body"])["attendee"]["accessibility_needs"]


def test_fastpath_answers_in_the_requests_language(at_the_door, device):
    client = device_client(device)
    client.credentials(HTTP_AUTHORIZATION=f"Device {device.token}", HTTP_ACCEPT_LANGUAGE="fr")

    (seen,) = at_the_door(client=client)

    assert seen["headers"]["Content-Language"] == "fr"
    assert json.loads(seen["body"])["attendee"]["mode_label"] == "En présentiel"


def test_fastpath_answers_in_the_language_of_the_cookie(at_the_door, client_of_device):
    client_of_device.cookies["eventsite_language"] = "fr"

    (seen,) = at_the_door(client=client_of_device)

    assert seen["headers"]["Content-Language"] == "fr"


def test_fastpath_code_in_lower_case_with_spaces_is_the_badge(at_the_door, badge):
    (seen,) = at_the_door(f" {badge.code.lower()}\n")

    assert json.loads(seen["body"])["result"] == "checked_in"


@pytest.mark.parametrize("microsecond", [0, 654321])
def test_fastpath_already_checked_in_by_a_device_says_when_and_which(
    at_the_door, event, badge, now, microsecond
):
    CheckInFactory(
        registration=badge.registration,
        badge=badge,
        device=DeviceFactory(name="Door 2", events=[event]),
        at=(now - timedelta(minutes=3)).replace(microsecond=microsecond),
    )

    (seen,) = at_the_door()

    body = json.loads(seen["body"])
    assert (body["result"], body["checkin"]["by"], body["conflict"]) == (
        "already_checked_in",
        "Door 2",
        False,
    )
    assert (
        body["checkin"]["at"]
        == (now - timedelta(minutes=3)).replace(microsecond=microsecond).isoformat()
    )


def test_fastpath_already_checked_in_by_an_organiser_names_them(at_the_door, badge, organiser):
    CheckInFactory(registration=badge.registration, badge=badge, user=organiser)

    (seen,) = at_the_door()

    checkin = json.loads(seen["body"])["checkin"]
    assert (checkin["by"], checkin["device"]) == ("door-organiser", None)


def test_fastpath_checked_in_again_after_an_undo(at_the_door, badge, now):
    CheckInFactory(registration=badge.registration, badge=badge, undone_at=now)

    (seen,) = at_the_door()

    assert json.loads(seen["body"])["result"] == "checked_in"


@pytest.mark.parametrize(
    "status",
    [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.DECLINED,
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_fastpath_not_confirmed_gives_the_status(at_the_door, badge, device, status, language):
    registration = badge.registration
    registration.status = status
    registration.waitlisted_at = timezone.now()
    registration.save()
    client = device_client(device)
    client.credentials(HTTP_AUTHORIZATION=f"Device {device.token}", HTTP_ACCEPT_LANGUAGE=language)

    (seen,) = at_the_door(client=client)

    body = json.loads(seen["body"])
    assert (body["result"], body["status"]) == ("not_confirmed", status)
    assert seen["checkins"] == []


def test_fastpath_revoked_badge_says_why(at_the_door, badge):
    services.reissue_badge(registration=badge.registration)

    (seen,) = at_the_door()

    assert json.loads(seen["body"])["revoke_reason"] == "reissued"


def test_fastpath_unknown_code_of_the_event(at_the_door, event):
    (seen,) = at_the_door(new_code(event_id=event.pk))

    assert json.loads(seen["body"])["attendee"] is None
    assert seen["logs"][0]["result"] == "unknown"


def test_fastpath_hands_receivers_the_check_in_the_view_hands_them(
    settings, client_of_device, event, badge
):
    """A receiver that has not said when it would act gets every check-in, in the scan's
    transaction, as from the view."""
    heard = []

    def receiver(sender, checkin, **kwargs):
        heard.append(
            {
                "sender": sender,
                "saved": CheckIn.objects.filter(pk=checkin.pk).exists(),
                "adding": checkin._state.adding,
                "in_transaction": connection.in_atomic_block,
                **{
                    field.attname: getattr(checkin, field.attname) for field in CheckIn._meta.fields
                },
                "id": None,
                "device": (checkin.device.pk, checkin.device.name, checkin.device.last_seen_at),
            }
        )

    checkin_recorded.connect(receiver, dispatch_uid="tests.fastpath.receiver")
    try:
        fast_path, view_path, ran = both_ways(
            settings, scans(client_of_device, event, badge.code, "k-1")
        )
    finally:
        checkin_recorded.disconnect(dispatch_uid="tests.fastpath.receiver")

    fast, view = heard
    assert fast_path == view_path
    assert ran == ["WITH", "SELECT"]  # the statement, then the receiver's look-up
    assert fast == view
    assert (fast["saved"], fast["adding"], fast["sender"]) == (True, False, CheckIn)


def test_fastpath_stands_aside_when_a_model_has_a_column_it_does_not_write():
    quote = connection.ops.quote_name

    assert sql._columns(CheckIn, sql.CHECKIN_VALUES, quote) is not None
    assert sql._columns(CheckIn, {**sql.CHECKIN_VALUES, "new": "1"}, quote) is None


# --- what the view answers, the fast path standing aside -----------------------------------------


def test_fastpath_leaves_a_badge_from_before_a_cancellation_to_the_view(at_the_door, badge, now):
    """Cancelled after the badge was issued, then confirmed again: the view revokes the badge."""
    Badge.objects.filter(pk=badge.pk).update(issued_at=now - timedelta(days=2))
    registration = badge.registration
    AuditEntry.objects.create(
        registration=registration,
        at=now - timedelta(days=1),
        actor_label="system",
        action="cancelled",
        from_status=RegistrationStatus.CONFIRMED,
        to_status=RegistrationStatus.CANCELLED,
    )
    registration.save()

    (seen,) = at_the_door(answered=False)

    assert json.loads(seen["body"])["revoke_reason"] == "cancelled"
    assert seen["badges"][0]["revoked_at"] == now


def test_fastpath_badge_issued_before_a_change_that_ended_nothing(at_the_door, badge, now):
    Badge.objects.filter(pk=badge.pk).update(issued_at=now - timedelta(days=2))
    badge.registration.save()

    (seen,) = at_the_door()

    assert json.loads(seen["body"])["result"] == "checked_in"


def test_fastpath_leaves_a_code_of_another_event_to_the_view(at_the_door):
    other = BadgeFactory(registration__event=EventFactory(title="Skills Shortages 2023"))

    (seen,) = at_the_door(other.code, answered=False)

    assert json.loads(seen["body"])["result"] == "other_event"


@pytest.mark.parametrize("kind", ["tampered", "malformed"])
def test_fastpath_leaves_a_false_code_to_the_view(at_the_door, badge, kind):
    event_part, secret, _check = badge.code.split("-")
    code = f"{event_part}-{secret}-AAAAAAAAAA" if kind == "tampered" else "hello"

    (seen,) = at_the_door(code, answered=False)

    assert json.loads(seen["body"])["result"] == kind
    assert seen["logs"][0]["result"] == kind


def test_fastpath_leaves_a_revoked_device_to_the_view(at_the_door, device):
    services.revoke_device(device=device)

    (seen,) = at_the_door(answered=False)

    assert (seen["status"], seen["headers"]["WWW-Authenticate"]) == (401, "Device")
    assert seen["logs"] == []


def test_fastpath_leaves_an_unknown_token_to_the_view(at_the_door):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Device not-a-token")

    (seen,) = at_the_door(client=client, answered=False)

    assert seen["status"] == 401


def test_fastpath_leaves_a_device_of_another_event_to_the_view(at_the_door):
    elsewhere = device_client(DeviceFactory(events=[EventFactory()]))

    (seen,) = at_the_door(client=elsewhere, answered=False)

    assert seen["status"] == 404
    assert (seen["checkins"], seen["logs"]) == ([], [])


def test_fastpath_leaves_organisers_to_the_view(settings, organiser, event, badge):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(organiser, [event])}")

    fast, view, ran = both_ways(settings, scans(client, event, badge.code, "k-1"))

    assert fast == view
    assert "WITH" not in ran


def test_fastpath_leaves_a_scan_into_a_session_to_the_view(
    settings, client_of_device, event, badge
):
    session = SessionFactory(event=event)

    def send():
        return [scan(client_of_device, event, badge.code, session=session.pk)]

    fast, view, ran = both_ways(settings, send)

    assert fast == view
    assert "WITH" not in ran


def test_fastpath_comes_after_the_https_redirect(settings, client_of_device, event, badge):
    settings.SECURE_SSL_REDIRECT = True

    response = scan(client_of_device, event, badge.code)

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert ScanLog.objects.count() == 0


# --- sent again ----------------------------------------------------------------------------------


def test_fastpath_retry_gets_the_first_answer_and_writes_nothing(at_the_door):
    first, retry = at_the_door(keys=("k-1", "k-1"))

    assert retry["headers"]["Idempotent-Replayed"] == "true"
    assert json.loads(retry["body"]) == json.loads(first["body"])
    assert (retry["checkins"], retry["logs"]) == (first["checkins"], first["logs"])


def test_fastpath_retry_of_a_refusal_keeps_the_refusal(settings, client_of_device, event, badge):
    registration = badge.registration
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlisted_at = timezone.now()
    registration.save()

    def send():
        first = scan(client_of_device, event, badge.code, idempotency_key="k-1")
        registration.status = RegistrationStatus.CONFIRMED
        registration.save()
        return [first, scan(client_of_device, event, badge.code, idempotency_key="k-1")]

    fast, view, ran = both_ways(settings, send)

    assert fast == view
    assert ran == ["WITH", "UPDATE", "WITH"]
    assert json.loads(fast[1]["body"])["result"] == "not_confirmed"
    assert fast[1]["checkins"] == []


def test_fastpath_scan_without_key_is_answered(settings, client_of_device, event, badge):
    def send():
        payload = {"event": event.slug, "code": badge.code}
        return [client_of_device.post(CHECKIN_URL, payload, format="json")]

    fast, view, ran = both_ways(settings, send)

    assert fast == view
    assert ran == ["WITH"]


# --- cost ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("webhooks", ["none", "of another event"])
def test_fastpath_first_scan_is_one_statement_without_a_transaction(
    client_of_device, event, badge, webhooks
):
    if webhooks == "of another event":
        WebhookFactory(events=[EventFactory()])
    scan(client_of_device, event, BadgeFactory(registration__event=event).code)

    with CaptureQueriesContext(connection) as queries:
        response = scan(client_of_device, event, badge.code, idempotency_key="k-1")

    assert response.json()["result"] == "checked_in"
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["WITH"]


@pytest.mark.django_db(transaction=True)
def test_fastpath_tells_webhooks_in_the_scans_transaction_as_the_view(
    settings, client_of_device, event, device
):
    WebhookFactory(events=[event])
    badges = [BadgeFactory(registration__event=event) for _n in range(2)]
    routing.routes()
    payloads = []

    for fast, badge in zip((True, False), badges, strict=True):
        settings.CHECKIN_FAST_PATH = fast
        with CaptureQueriesContext(connection) as queries:
            scan(client_of_device, event, badge.code)
        delivery = WebhookDelivery.objects.get(payload__data__registration_id=badge.registration_id)
        checkin = CheckIn.objects.get(badge=badge)
        assert delivery.payload["data"]["id"] == checkin.pk
        payloads.append({**delivery.payload, "data": {**delivery.payload["data"], "id": None}})
        if fast:
            ran = [query["sql"].split()[0] for query in queries.captured_queries]
            # the delivery written between the scan's statement and its commit
            assert ran.index("BEGIN") < ran.index("WITH") < ran.index("INSERT")
            assert ran.index("INSERT") < ran.index("COMMIT")

    first, second = payloads
    assert first["data"].pop("registration_id") != second["data"].pop("registration_id")
    assert first == second


# --- at the same moment --------------------------------------------------------------------------


def together(count: int, one) -> list:
    barrier = threading.Barrier(count)

    def run(n: int):
        barrier.wait()
        try:
            return one(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def post(device, event, code: str, **extra):
    return Client().post(
        CHECKIN_URL,
        json.dumps({"event": event.slug, "code": code, **extra}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {device.token}",
    )


@pytest.mark.django_db(transaction=True)
def test_fastpath_twenty_scans_from_five_devices_make_one_checkin():
    event = EventFactory()
    badge = BadgeFactory(registration__event=event)
    devices = [DeviceFactory(events=[event]) for _n in range(5)]

    results = together(
        20, lambda n: post(devices[n % 5], event, badge.code, idempotency_key=f"s-{n}").json()
    )

    assert [r["result"] for r in results].count("checked_in") == 1
    assert [r["result"] for r in results].count("already_checked_in") == 19
    assert len({r["checkin"]["id"] for r in results}) == 1
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_fastpath_same_scan_sent_ten_times_at_once_gets_one_answer():
    event = EventFactory()
    badge = BadgeFactory(registration__event=event)
    device = DeviceFactory(events=[event])

    answers = together(10, lambda n: post(device, event, badge.code, idempotency_key="k").json())

    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["result"] == "checked_in"
    assert CheckIn.objects.count() == 1
    assert ScanLog.objects.count() == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("CONN_MAX_AGE", 0, id="connection-per-request"),
        pytest.param("OPTIONS", {"connect_timeout": 5}, id="DATABASE_PREPARED_STATEMENTS=False"),
    ],
)
def test_fastpath_stands_aside_when_statements_are_not_kept_prepared(
    settings, monkeypatch, client_of_device, event, badge, option, value
):
    """Planned at every run, the statement would cost the database more than the view's."""
    monkeypatch.setitem(connection.settings_dict, option, value)

    fast, view, ran = both_ways(settings, scans(client_of_device, event, badge.code, "k-1"))

    assert fast == view
    assert "WITH" not in ran

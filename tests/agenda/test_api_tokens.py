"""Organisers' API tokens: issuing, authenticating, and reaching only the token's events.

Event A and event B each have a pending registration and a confirmed one with a badge; a token
for B must not read, change, scan, undo or report anything of A, and must answer as if A did not
exist (404, or missing from a list), writing nothing.
"""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.exceptions import ApiTokenRefused, ApiTokenRevoked
from agenda.models import ApiToken
from agenda.services import issue_api_token, revoke_api_token, touch_api_token
from badges.models import CheckIn, ScanLog
from privacy import services as privacy_services
from registrations.enums import RegistrationStatus
from registrations.models import AuditEntry
from reports.building import request_report
from reports.models import Report
from tests.factories import EventFactory
from tests.factories.badges import BadgeFactory, CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import ended_event
from tests.factories.tokens import ApiTokenFactory, api_token
from tests.privacy.scenario import person_with_traces

pytestmark = pytest.mark.django_db

REGISTRATIONS_URL = "/api/v1/organiser/registrations/"
CHECKIN_URL = "/api/v1/checkin/"
KEY_SHOWN = re.compile(r"The token is (\S+) — ")


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def organiser():
    user = get_user_model().objects.create_user("script-owner", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    return user


@pytest.fixture
def event_a():
    return EventFactory(slug="event-a")


@pytest.fixture
def event_b():
    return EventFactory(slug="event-b")


@pytest.fixture
def pending_a(event_a):
    return RegistrationFactory(event=event_a, status=RegistrationStatus.PENDING)


@pytest.fixture
def pending_b(event_b):
    return RegistrationFactory(event=event_b, status=RegistrationStatus.PENDING)


@pytest.fixture
def badge_a(event_a):
    return BadgeFactory(registration__event=event_a)


@pytest.fixture
def badge_b(event_b):
    return BadgeFactory(registration__event=event_b)


@pytest.fixture
def only_b(organiser, event_b) -> APIClient:
    return token_client(api_token(organiser, [event_b]))


@pytest.fixture
def only_a(organiser, event_a) -> APIClient:
    return token_client(api_token(organiser, [event_a]))


def listed_events(response) -> list[str]:
    return sorted(row["event"] for row in response.json()["results"])


# --- issuing -------------------------------------------------------------------------------------


def test_issue_api_token_stores_only_the_hash(organiser, event_b):
    token, key = issue_api_token(user=organiser, name="Sync", events=[event_b])

    stored = ApiToken.objects.values().get(pk=token.pk)
    assert stored["token_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["token_hint"] == key[:6]
    assert len(key) == 43  # secrets.token_urlsafe(32)
    assert not any(key in str(value) for value in stored.values())
    assert list(token.events.all()) == [event_b]
    assert (token.user, token.all_events, token.revoked_at) == (organiser, False, None)


def test_issue_api_token_twice_gives_two_keys(organiser, event_b):
    first = api_token(organiser, [event_b])
    second = api_token(organiser, [event_b])

    assert first != second
    assert ApiToken.objects.count() == 2


def test_issue_api_token_without_events_is_refused(organiser):
    with pytest.raises(ApiTokenRefused) as refused:
        issue_api_token(user=organiser, name="Nothing", events=[])

    assert refused.value.field == "events"
    assert ApiToken.objects.count() == 0


def test_issue_api_token_already_expired_is_refused(organiser, event_b):
    with pytest.raises(ApiTokenRefused) as refused:
        issue_api_token(
            user=organiser,
            name="Late",
            events=[event_b],
            expires_at=timezone.now() - timedelta(minutes=1),
        )

    assert refused.value.field == "expires_at"
    assert ApiToken.objects.count() == 0


def test_revoke_api_token_twice_is_refused(organiser, event_b):
    token, _ = issue_api_token(user=organiser, name="Sync", events=[event_b])
    revoke_api_token(token=token, actor=organiser)

    with pytest.raises(ApiTokenRevoked):
        revoke_api_token(token=token, actor=organiser)


# --- authenticating ------------------------------------------------------------------------------


def test_api_token_header_authenticates_as_its_user(organiser, pending_b):
    key = api_token(organiser, [pending_b.event])

    response = APIClient().get(REGISTRATIONS_URL, headers={"authorization": f"Token {key}"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [pending_b.pk]


def test_api_token_keyword_is_case_insensitive(organiser, pending_b):
    key = api_token(organiser, [pending_b.event])

    response = APIClient().get(REGISTRATIONS_URL, headers={"authorization": f"token {key}"})

    assert response.status_code == 200


def _unknown(organiser, event):
    return "not-a-token-anyone-was-given"


def _revoked(organiser, event):
    token, key = issue_api_token(user=organiser, name="Old", events=[event])
    revoke_api_token(token=token, actor=organiser)
    return key


def _expired(organiser, event):
    token, key = issue_api_token(
        user=organiser, name="Old", events=[event], expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return key


def _inactive_user(organiser, event):
    key = api_token(organiser, [event])
    organiser.is_active = False
    organiser.save(update_fields=["is_active"])
    return key


@pytest.mark.parametrize(
    ("make_key", "message"),
    [
        (_unknown, "Unknown, revoked or expired token"),
        (_revoked, "Unknown, revoked or expired token"),
        (_expired, "Unknown, revoked or expired token"),
        (_inactive_user, "The token's user account is disabled."),
    ],
    ids=["unknown", "revoked", "expired", "inactive-user"],
)
def test_api_token_refused_is_401(organiser, pending_b, make_key, message):
    key = make_key(organiser, pending_b.event)

    response = token_client(key).get(REGISTRATIONS_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert error["message"].startswith(message)


def test_api_token_header_with_two_words_is_401(organiser, pending_b):
    key = api_token(organiser, [pending_b.event])

    response = APIClient().get(REGISTRATIONS_URL, headers={"authorization": f"Token {key} more"})

    assert response.status_code == 401


def test_api_token_keeps_its_users_permissions(pending_b):
    member = get_user_model().objects.create_user("no-rights", is_staff=True)
    client = token_client(api_token(member, [pending_b.event]))

    response = client.get(REGISTRATIONS_URL)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_api_token_last_used_is_noted_on_use(organiser, pending_b):
    key = api_token(organiser, [pending_b.event])

    token_client(key).get(REGISTRATIONS_URL)

    assert ApiToken.objects.get().last_used_at is not None


def test_touch_api_token_writes_at_most_once_a_minute(organiser, event_b):
    token, _ = issue_api_token(user=organiser, name="Sync", events=[event_b])
    first = timezone.now()

    touch_api_token(token=token, now=first)
    touch_api_token(token=token, now=first + timedelta(seconds=59))
    after_59_seconds = ApiToken.objects.get().last_used_at
    touch_api_token(token=token, now=first + timedelta(seconds=61))

    assert after_59_seconds == first
    assert ApiToken.objects.get().last_used_at == first + timedelta(seconds=61)


def test_api_token_used_within_the_minute_is_not_written_again(organiser, pending_b):
    key = api_token(organiser, [pending_b.event])
    just_now = timezone.now()
    ApiToken.objects.update(last_used_at=just_now)

    token_client(key).get(REGISTRATIONS_URL)

    assert ApiToken.objects.get().last_used_at == just_now


@pytest.mark.parametrize("count", [1, 5])
def test_scope_token_list_queries(organiser, event_a, event_b, count, django_assert_num_queries):
    RegistrationFactory.create_batch(count, event=event_b)
    RegistrationFactory.create_batch(2, event=event_a)
    client = token_client(api_token(organiser, [event_b, EventFactory()]))
    ApiToken.objects.update(last_used_at=timezone.now())  # no note of its use in the count

    # The token with its user, the user's and the group's permissions, the count, the page.
    with django_assert_num_queries(5):
        response = client.get(REGISTRATIONS_URL)

    assert response.json()["count"] == count


# --- registrations: the scope --------------------------------------------------------------------


def test_scope_token_lists_only_its_events_registrations(only_b, pending_a, pending_b):
    everything = only_b.get(REGISTRATIONS_URL)
    filtered_to_a = only_b.get(REGISTRATIONS_URL, {"event": "event-a"})

    assert listed_events(everything) == ["event-b"]
    assert filtered_to_a.json()["count"] == 0


def test_scope_token_cannot_read_another_events_registration(only_b, pending_a):
    response = only_b.get(f"{REGISTRATIONS_URL}{pending_a.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("change", ["approve", "decline", "cancel", "promote", "reopen"])
def test_scope_token_cannot_change_another_events_registration(only_b, pending_a, change):
    audit_before = AuditEntry.objects.filter(registration=pending_a).count()

    response = only_b.post(f"{REGISTRATIONS_URL}{pending_a.pk}/{change}/", {}, format="json")

    assert response.status_code == 404
    pending_a.refresh_from_db()
    assert pending_a.status == RegistrationStatus.PENDING
    assert AuditEntry.objects.filter(registration=pending_a).count() == audit_before


def test_scope_token_changes_its_own_events_registration(only_a, pending_a):
    response = only_a.post(f"{REGISTRATIONS_URL}{pending_a.pk}/approve/", {}, format="json")

    assert response.status_code == 200
    pending_a.refresh_from_db()
    assert pending_a.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.filter(registration=pending_a, action="approved").exists()


def test_scope_all_events_token_reaches_both(organiser, pending_a, pending_b):
    client = token_client(api_token(organiser, all_events=True))

    response = client.get(REGISTRATIONS_URL)

    assert listed_events(response) == ["event-a", "event-b"]


def test_scope_signed_in_organiser_keeps_every_event(organiser, pending_a, pending_b):
    client = APIClient()
    client.force_login(organiser)

    response = client.get(REGISTRATIONS_URL)

    assert listed_events(response) == ["event-a", "event-b"]


# --- check-in: the scope -------------------------------------------------------------------------


def scan(client, event, **body):
    return client.post(CHECKIN_URL, {"event": event.slug, **body}, format="json")


def test_scope_token_cannot_check_in_at_another_event(only_b, event_a, badge_a):
    response = scan(only_b, event_a, code=badge_a.code)

    assert response.status_code == 404
    assert (CheckIn.objects.count(), ScanLog.objects.count()) == (0, 0)


def test_scope_token_cannot_send_a_batch_naming_another_event(only_b, event_a, badge_a, badge_b):
    now = timezone.now().isoformat()
    scans = [
        {"event": "event-b", "code": badge_b.code, "idempotency_key": "1", "scanned_at": now},
        {"event": "event-a", "code": badge_a.code, "idempotency_key": "2", "scanned_at": now},
    ]

    response = only_b.post("/api/v1/checkin/batch/", {"scans": scans}, format="json")

    assert response.status_code == 404
    assert (CheckIn.objects.count(), ScanLog.objects.count()) == (0, 0)


def test_scope_token_at_its_event_refuses_another_events_badge(only_b, event_b, badge_a):
    by_code = scan(only_b, event_b, code=badge_a.code)
    by_registration = scan(only_b, event_b, registration=badge_a.registration.pk)

    assert by_code.json()["result"] == "other_event"
    assert by_registration.json()["result"] == "unknown"
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["checkin-list/", "checkin-search/?q=Alex", "checkin-stats/"], ids=str
)
def test_scope_token_cannot_read_another_events_door(only_b, event_a, badge_a, path):
    response = only_b.get(f"/api/v1/events/{event_a.slug}/{path}")

    assert response.status_code == 404


def test_scope_token_cannot_undo_a_check_in_at_another_event(only_b, badge_a):
    checkin = CheckInFactory(registration=badge_a.registration)

    response = only_b.post(f"{CHECKIN_URL}{checkin.pk}/undo/")

    assert response.status_code == 404
    checkin.refresh_from_db()
    assert checkin.undone_at is None


def test_scope_token_checks_in_searches_and_undoes_at_its_event(only_a, event_a, badge_a):
    scanned = scan(only_a, event_a, code=badge_a.code)
    found = only_a.get(f"/api/v1/events/{event_a.slug}/checkin-search/", {"q": "Alex"})
    listed = only_a.get(f"/api/v1/events/{event_a.slug}/checkin-list/")
    undone = only_a.post(f"{CHECKIN_URL}{CheckIn.objects.get().pk}/undo/")

    assert scanned.json()["result"] == "checked_in"
    assert found.status_code == 200
    assert [row["registration"] for row in found.json()["results"]] == [badge_a.registration.pk]
    assert len(listed.json()["entries"]) == 1
    assert undone.status_code == 200
    assert CheckIn.objects.get().undone_at is not None


def test_scope_all_events_token_checks_in_at_both(organiser, event_a, event_b, badge_a, badge_b):
    client = token_client(api_token(organiser, all_events=True))

    results = [
        scan(client, event_a, code=badge_a.code).json()["result"],
        scan(client, event_b, code=badge_b.code).json()["result"],
    ]

    assert results == ["checked_in", "checked_in"]


# --- reports: the scope --------------------------------------------------------------------------


@pytest.fixture
def ended_a():
    event = ended_event(slug="ended-a")
    request_report(event=event)
    return event


def test_scope_token_cannot_ask_for_or_follow_another_events_report(organiser, ended_a):
    client = token_client(api_token(organiser, [ended_event(slug="ended-b")]))
    attempt = Report.objects.get().attempt

    followed = client.get(f"/api/v1/events/{ended_a.slug}/report/")
    asked = client.post(f"/api/v1/events/{ended_a.slug}/report/")
    downloaded = client.get(f"/api/v1/events/{ended_a.slug}/report/pdf/")

    assert [followed.status_code, asked.status_code, downloaded.status_code] == [404, 404, 404]
    assert Report.objects.get().attempt == attempt


def test_scope_token_follows_its_events_report(organiser, ended_a):
    client = token_client(api_token(organiser, [ended_a]))

    response = client.get(f"/api/v1/events/{ended_a.slug}/report/")

    assert response.status_code == 200
    assert response.json()["status"] == "queued"


# --- the admin -----------------------------------------------------------------------------------


def admin_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_admin_shows_the_key_once_after_adding(organiser, event_b):
    client = admin_client(organiser)

    added = client.post(
        "/admin/agenda/apitoken/add/",
        {"name": "Nightly export", "events": [event_b.pk], "expires_at_0": "", "expires_at_1": ""},
    )
    first = client.get(added["Location"])
    again = client.get(added["Location"])

    token = ApiToken.objects.get()
    key = KEY_SHOWN.search(first.content.decode()).group(1)
    assert added.status_code == 302
    assert token.token_hash == ApiToken.hash_token(key)
    assert (token.user, token.created_by) == (organiser, organiser)
    assert list(token.events.all()) == [event_b]
    assert key not in again.content.decode()
    assert token_client(key).get(REGISTRATIONS_URL).status_code == 200


def test_admin_refuses_a_token_without_events(organiser):
    response = admin_client(organiser).post(
        "/admin/agenda/apitoken/add/",
        {"name": "Nothing", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200
    assert "Choose the events the token may reach" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_admin_lists_only_ones_own_tokens_unless_superuser(organiser, event_b):
    colleague = get_user_model().objects.create_user("colleague", is_staff=True)
    ApiTokenFactory(user=organiser, name="Mine", events=[event_b])
    ApiTokenFactory(user=colleague, name="Theirs", all_events=True)
    boss = get_user_model().objects.create_superuser("boss")

    own = admin_client(organiser).get("/admin/agenda/apitoken/").content.decode()
    every = admin_client(boss).get("/admin/agenda/apitoken/").content.decode()

    assert ("Mine" in own, "Theirs" in own) == (True, False)
    assert ("Mine" in every, "Theirs" in every) == (True, True)
    assert "<strong>All events</strong>" in every


def test_admin_revoke_action_stops_the_token(organiser, event_b):
    token = ApiTokenFactory(user=organiser, events=[event_b])

    admin_client(organiser).post(
        "/admin/agenda/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_client(token.key).get(REGISTRATIONS_URL).status_code == 401


@pytest.mark.parametrize("count", [1, 4])
def test_admin_token_changelist_queries(
    organiser, event_a, event_b, count, django_assert_num_queries
):
    for _ in range(count):
        ApiTokenFactory(user=organiser, events=[event_a, event_b])
    client = admin_client(organiser)

    # The session, the user and their two sets of permissions, the two counts, the page of
    # tokens with their users, and their events.
    with django_assert_num_queries(8):
        response = client.get("/admin/agenda/apitoken/")

    assert response.status_code == 200


def test_admin_organisers_may_not_delete_tokens(organiser):
    assert organiser.has_perm("agenda.add_apitoken")
    assert not organiser.has_perm("agenda.delete_apitoken")


# --- elsewhere -----------------------------------------------------------------------------------


def test_erasure_deletes_the_persons_api_tokens():
    traces = person_with_traces(with_files=False)
    ApiTokenFactory(user=traces.person.user, all_events=True)

    privacy_services.erase_person(person=traces.person)

    assert ApiToken.objects.count() == 0


def test_schema_documents_the_token_scheme(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert "organiserToken" in schema["components"]["securitySchemes"]


def test_api_token_user_deleted_takes_the_tokens_along(organiser, event_b):
    api_token(organiser, [event_b])

    organiser.delete()

    assert ApiToken.objects.count() == 0


def test_api_token_of_a_user_who_is_not_staff_is_403(event_b):
    member = get_user_model().objects.create_user("member")
    member.user_permissions.add(*Permission.objects.filter(codename="change_registration"))
    client = token_client(api_token(member, [event_b]))

    response = client.get(REGISTRATIONS_URL)

    assert response.status_code == 403

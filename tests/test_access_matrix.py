"""The access matrix: every endpoint × every kind of caller × every routed method.

Nobody reads or changes what is not theirs: a refused caller gets 401, 403, 404 or 405 (an
organisers' page may send to sign in), nothing of attendee A's in the answer, and no row
written anywhere. Each cell is its own test, ``<endpoint>-<method>-<caller>``; what the callers
and the world are, and every cell's status, are in docs/access-matrix.md (``tests/access``).

The world is built once for the module inside a transaction that is rolled back at its end;
each cell runs in a savepoint of it, so what a positive control changes is gone for the next.
"""

import json
import os

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.models import Event
from members.models import Person
from registrations.enums import RegistrationStatus
from registrations.models import Registration
from tests.access import table
from tests.access.matrix import (
    BY_NAME,
    CELLS,
    DEVICE_A,
    EXCLUDED,
    ORGANISER_B,
    Call,
    Cell,
    Kind,
    Outcome,
)
from tests.access.routes import routed_methods, routes
from tests.access.rows import difference, owned_rows, snapshot, touches
from tests.access.world import build_world

DENIALS = {401, 403, 404, 405}
SIGN_IN = "/admin/login/"
WRITING = os.environ.get("ACCESS_MATRIX_WRITE") == "1"

# Each cell's text for docs/access-matrix.md, filled in as the cells run.
RESULTS: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("access-matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.media_root = media
            built.rows = snapshot()
            built.owned = {side.key: owned_by(built, side) for side in (built.a, built.b)}
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def owned_by(world, side) -> dict:
    """The rows of a side: its events' and its people's, and every row pointing at one."""
    people = Person.objects.filter(registrations__event__in=[side.event, side.past_event])
    seeds = {
        Event: {side.event.pk, side.past_event.pk},
        Person: {*people.values_list("pk", flat=True)},
    }
    return owned_rows(world.rows, seeds)


@pytest.fixture(scope="module")
def document():
    written = table.read()
    yield written
    if WRITING:
        table.DOCUMENT.write_text(table.render({**written, **RESULTS}, routes()))


@pytest.fixture
def in_world(world, db, settings, _media_in_tmp):
    settings.MEDIA_ROOT = world.media_root
    return world


# --- the matrix covers the site ------------------------------------------------------------------


def test_access_matrix_classifies_every_url_pattern():
    unclassified = [
        route.route
        for route in routes()
        if "admin" not in route.namespaces
        and route.key not in BY_NAME
        and route.key not in EXCLUDED
    ]

    assert unclassified == []


def test_access_matrix_names_only_existing_url_patterns():
    names = {route.key for route in routes()}

    assert sorted(set(BY_NAME) - names) == []


def test_access_matrix_tries_every_routed_method():
    differing = {
        route.key: (routed_methods(route.callback), BY_NAME[route.key].methods)
        for route in routes()
        if route.key in BY_NAME and routed_methods(route.callback) != BY_NAME[route.key].methods
    }

    assert differing == {}


def test_access_matrix_document_lists_every_cell(document):
    if WRITING:
        return
    assert set(document) == table.cell_keys()


# --- the cells -----------------------------------------------------------------------------------


def request_of(cell: Cell, world) -> tuple[str, dict | None]:
    return cell.endpoint.request(Call(world, cell.actor, cell.method))


def send(cell: Cell, world):
    url, body = request_of(cell, world)
    header = cell.actor.header(world, cell.endpoint.kind)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    method = cell.method.lower()
    if url.startswith("/api/"):
        client = APIClient()
        if method == "get":
            return client.get(url, **extra)
        return getattr(client, method)(url, body, format="json", **extra)
    client = Client()
    if method == "get":
        return client.get(url, **extra)
    if method == "post":
        return client.post(url, body or {}, **extra)
    return getattr(client, method)(url, **extra)


def shown(response) -> str:
    content = b"" if getattr(response, "streaming", False) else response.content
    return content.decode("utf-8", "replace") + " " + response.get("Location", "")


def leaks(response, world, *, sees: str, sent: str = "") -> list[str]:
    """The personal data in an answer of the side(s) the caller may not see.

    What the caller sent may come back (a form shown again with the address typed in).
    """
    answer = shown(response)
    return [
        secret
        for side in (world.a, world.b)
        if side.key != sees
        for secret in side.secrets
        if secret in answer and secret not in sent
    ]


def sends_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.get("Location", "").startswith(SIGN_IN)


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_access_cell(cell: Cell, in_world, document):
    if cell.actor.name.startswith("organiser") and in_world.organiser_token is None:
        pytest.fail(f"no organiser API token: {in_world.organiser_token_problem}")

    response = send(cell, in_world)
    changes = difference(in_world.rows, snapshot())

    status = response.status_code
    outcome = cell.outcome
    text = table.cell_text(outcome, status)
    RESULTS[(cell.endpoint.name, cell.method, cell.actor.name)] = text
    url, body = request_of(cell, in_world)
    leaked = leaks(response, in_world, sees=cell.actor.sees, sent=f"{url} {json.dumps(body)}")
    assert leaked == [], f"{cell.id}: personal data of another side in the answer ({status})"
    if outcome == Outcome.OK:
        assert 200 <= status < 400 and not sends_to_sign_in(response), f"{cell.id}: {status}"
    elif outcome == Outcome.DENY:
        refused = status in DENIALS or (
            cell.endpoint.kind == Kind.PAGE and sends_to_sign_in(response)
        )
        assert refused, f"{cell.id}: {status}, not refused"
    elif outcome == Outcome.NO_DATA:
        assert status in DENIALS or status == 200, f"{cell.id}: {status}"
    else:
        assert status < 500, f"{cell.id}: {status}"
    if outcome in (Outcome.DENY, Outcome.NO_DATA):
        assert [str(c) for c in changes] == [], f"{cell.id}: rows written"
    elif outcome == Outcome.OPEN:
        stray = [str(c) for c in changes if c.model not in cell.endpoint.allowed_writes]
        assert stray == [], f"{cell.id}: rows written"
    else:
        others = [owned for key, owned in in_world.owned.items() if key != cell.actor.sees]
        touched = [str(c) for c in changes if any(touches(c, owned) for owned in others)]
        assert touched == [], f"{cell.id}: another side's rows written"
    if not WRITING:
        assert document.get((cell.endpoint.name, cell.method, cell.actor.name)) == text, (
            f"{cell.id}: {text}, docs/access-matrix.md says otherwise "
            "(ACCESS_MATRIX_WRITE=1 writes it again)"
        )


# --- the other side's ids where an id goes, at the caller's own event ---------------------------
# The cells name the caller's own things or the other side's through the address; these name
# the other side's badge, registration or session inside a request to the caller's own event.

SUBSTITUTIONS = {
    "device-a-scans-b-badge-at-a": (
        DEVICE_A,
        "/api/v1/checkin/",
        lambda w: {"event": w.a.event.slug, "code": w.b.badge.code},
    ),
    "device-a-scans-b-registration-at-a": (
        DEVICE_A,
        "/api/v1/checkin/",
        lambda w: {"event": w.a.event.slug, "registration": w.b.registration.pk},
    ),
    "device-a-scans-at-a-into-b-session": (
        DEVICE_A,
        "/api/v1/checkin/",
        lambda w: {"event": w.a.event.slug, "code": w.a.badge.code, "session": w.b.plenary.pk},
    ),
    "device-a-searches-b-at-a": (
        DEVICE_A,
        "/api/v1/events/{w.a.event.slug}/checkin-search/?q={w.b.person.last_name}",
        None,
    ),
    "device-a-lists-a-for-b-session": (
        DEVICE_A,
        "/api/v1/events/{w.a.event.slug}/checkin-list/?session={w.b.plenary.pk}",
        None,
    ),
    "organiser-b-scans-a-badge-at-b": (
        ORGANISER_B,
        "/api/v1/checkin/",
        lambda w: {"event": w.b.event.slug, "code": w.a.badge.code},
    ),
    "organiser-b-scans-a-registration-at-b": (
        ORGANISER_B,
        "/api/v1/checkin/",
        lambda w: {"event": w.b.event.slug, "registration": w.a.registration.pk},
    ),
    "organiser-b-batch-with-one-scan-at-a": (
        ORGANISER_B,
        "/api/v1/checkin/batch/",
        lambda w: {
            "scans": [
                {"event": w.b.event.slug, "code": w.b.badge.code, "idempotency_key": "b-1"},
                {"event": w.a.event.slug, "code": w.a.badge.code, "idempotency_key": "a-1"},
            ]
        },
    ),
    "organiser-b-stats-at-b-for-a-session": (
        ORGANISER_B,
        "/api/v1/events/{w.b.event.slug}/checkin-stats/?session={w.a.plenary.pk}",
        None,
    ),
    "organiser-b-lists-registrations-unfiltered": (
        ORGANISER_B,
        "/api/v1/organiser/registrations/",
        None,
    ),
    "organiser-b-filters-registrations-by-a-person": (
        ORGANISER_B,
        "/api/v1/organiser/registrations/?search={w.a.person.email}&event={w.a.event.slug}",
        None,
    ),
}


@pytest.mark.parametrize("case", list(SUBSTITUTIONS))
def test_access_other_sides_id_at_own_event_reveals_and_writes_nothing(case, in_world):
    actor, template, body = SUBSTITUTIONS[case]
    url = template.format(w=in_world)
    data = body(in_world) if body else None
    if data:
        for scan in data.get("scans", []):
            scan["scanned_at"] = timezone.now().isoformat()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=actor.header(in_world, Kind.SCANNER))

    response = client.post(url, data, format="json") if data else client.get(url)

    changes = difference(in_world.rows, snapshot())
    other = in_world.owned["b" if actor.sees == "a" else "a"]
    assert response.status_code < 500
    assert leaks(response, in_world, sees=actor.sees, sent=f"{url} {json.dumps(data)}") == []
    assert [str(c) for c in changes if touches(c, other)] == []


# --- a known address typed into a registration form ------------------------------------------
# Whoever types an address may not own it. Registering it anew (for another event, or again
# after its registration was cancelled) must not hand the typist a personal link: the person's
# pages show their calendar address (every event they attend), their badge (their name), and
# their registration to change or cancel.


def _register_known_address(world, event, *, api: bool):
    form = {
        "first_name": "Some",
        "last_name": "One",
        "email": world.a.person.email,
        "organisation_name": "Another Ministry",
        "organisation_type": "national_authority",
        "organisation_country": "BE",
        "mode": "in_person",
        "privacy_accepted": True,
        "participant_list_consent": True,
    }
    if api:
        url = f"/api/v1/events/{event.slug}/registrations/"
        return APIClient().post(url, form, format="json")
    return Client().post(f"/events/{event.slug}/register/", form)


@pytest.mark.parametrize(
    ("situation", "api"),
    [
        pytest.param("other-event", False, id="other-event-page"),
        pytest.param("other-event", True, id="other-event-api"),
        pytest.param("cancelled", False, id="cancelled-page"),
        pytest.param("cancelled", True, id="cancelled-api"),
    ],
)
def test_access_known_address_registered_by_a_stranger_reveals_no_personal_link(
    situation, api, in_world
):
    side = in_world.a
    event = in_world.b.event
    if situation == "cancelled":
        Registration.objects.filter(pk=side.registration.pk).update(
            status=RegistrationStatus.CANCELLED
        )
        event = side.event

    response = _register_known_address(in_world, event, api=api)

    tokens = [
        *Registration.objects.filter(person=side.person).values_list("token", flat=True),
        Person.objects.get(pk=side.person.pk).calendar_token,
    ]
    answer = shown(response)
    assert [token for token in tokens if token in answer] == []
    assert 200 <= response.status_code < 300

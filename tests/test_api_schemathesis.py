"""The API against its own schema: generated requests never get a 5xx, and every answer is
documented (status code, content type, body).

Schemathesis reads ``/api/schema/`` and calls the site in-process (WSGI) with requests made from
the schema: valid ones and invalid ones. Every operation runs three times: anonymously, as a
scanner device and as an organiser. Path parameters, and the ids inside bodies and queries, are
often swapped for real objects of a small but realistic dataset (events open for registration,
a hybrid one with questions and sessions to sign up for, a past one with its report; people
registered in every state, badges, a check-in), so that requests reach past "not found".

The dataset is built once for the module, in a transaction rolled back at its end; each test
runs in a savepoint of it, so what one operation changes (a registration cancelled, a check-in
made) is undone before the next. Generation is deterministic (fixed seed, derandomized), so a
run in CI does what it did on the developer's machine.
"""

import hashlib
import random
import secrets
import shutil
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agenda.enums import EventFormat, EventStatus
from agenda.models import Document
from agenda.services import issue_api_token
from badges.models import PrintRun, PrintRunStatus
from badges.services import issue_badge
from registrations.enums import AttendanceMode, PickStatus, QuestionKind, RegistrationStatus
from reports.enums import ReportStatus
from reports.models import Report
from tests.factories import (
    EventFactory,
    PersonFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)
from tests.factories.badges import CheckInFactory, DeviceFactory
from tests.factories.registrations import (
    PrivacyNoticeFactory,
    QuestionFactory,
    RegistrationFactory,
    open_event,
)
from tests.factories.reports import ended_event

# Examples per operation in the fuzzing phase; the examples and coverage phases add their own.
MAX_EXAMPLES = 25
SEED = 20300514

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.seed = SEED
schema.config.generation.update(deterministic=True, max_examples=MAX_EXAMPLES)


# --- the dataset ---------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Real objects, and the values a request names them by."""

    device_token: str
    organiser: object
    slugs: list[str]
    device_event_slug: str
    session_ids: list[int]
    signup_session_ids: list[int]
    registration_ids: list[int]
    tokens: list[str]
    badge_codes: list[str]
    checkin_ids: list[int]
    document_ids: list[int]
    print_run_ids: list[int]
    question_ids: dict[int, tuple[str, list[str]]]
    speaker_slugs: list[str]
    names: list[str]
    media: Path


def build_dataset(media: Path) -> Dataset:
    now = timezone.now()
    notice = PrivacyNoticeFactory()
    conference = open_event(slug="api-open-conference", title="Open conference")
    hybrid = open_event(
        slug="api-hybrid-forum",
        title="Hybrid forum",
        format=EventFormat.HYBRID,
        capacity_in_person=3,
        capacity_online=50,
    )
    past = ended_event(slug="api-past-meeting", title="Past meeting")
    webinar = open_event(slug="api-webinar", title="Webinar", online=True)
    EventFactory(slug="api-postponed-event", status=EventStatus.POSTPONED)
    EventFactory(slug="api-draft-event", draft=True, start=now + timedelta(days=60))

    room = RoomFactory(venue=hybrid.venue, name="Room A", capacity=2)
    track = TrackFactory(event=hybrid, name="Skills")
    plenary = SessionFactory(event=hybrid, title="Opening", room=room, track=track)
    workshops = [
        SessionFactory(
            event=hybrid,
            title=f"Workshop {letter}",
            requires_signup=True,
            capacity=2,
            room=room,
            start=hybrid.start + timedelta(hours=hour),
        )
        for letter, hour in (("A", 2), ("B", 2), ("C", 4))
    ]
    past_session = SessionFactory(event=past, title="Looking back")
    conference_session = SessionFactory(event=conference, title="Keynote")
    speakers = [
        SpeakerFactory(name="Ana Lopez"),
        SpeakerFactory(name="Bo Jensen", organisation=None),
    ]
    SessionSpeakerFactory(session=plenary, speaker=speakers[0])
    SessionSpeakerFactory(session=workshops[0], speaker=speakers[1])
    SessionSpeakerFactory(session=past_session, speaker=speakers[0])
    documents = [
        Document.objects.create(
            event=hybrid,
            title=title,
            position=position,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"{title.lower()}.pdf"),
        )
        for position, title in enumerate(("Programme", "Practical information"))
    ]

    questions = [
        QuestionFactory(event=hybrid, label="Your ministry", kind=QuestionKind.SHORT_TEXT),
        QuestionFactory(
            event=hybrid,
            label="Topic",
            kind=QuestionKind.SINGLE_CHOICE,
            choices=["Skills", "Mobility"],
        ),
        QuestionFactory(
            event=hybrid,
            label="Sessions of interest",
            kind=QuestionKind.MULTIPLE_CHOICE,
            choices=["Panel", "Visit"],
        ),
        QuestionFactory(event=hybrid, label="First time?", kind=QuestionKind.YES_NO),
        QuestionFactory(event=hybrid, label="Health", kind=QuestionKind.LONG_TEXT, sensitive=True),
    ]

    registrations = []
    for n, (event, status, mode) in enumerate(
        [
            (hybrid, RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON),
            (hybrid, RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON),
            (hybrid, RegistrationStatus.CONFIRMED, AttendanceMode.ONLINE),
            (hybrid, RegistrationStatus.WAITLISTED, AttendanceMode.IN_PERSON),
            (hybrid, RegistrationStatus.PENDING, AttendanceMode.IN_PERSON),
            (hybrid, RegistrationStatus.DECLINED, AttendanceMode.IN_PERSON),
            (hybrid, RegistrationStatus.CANCELLED, AttendanceMode.ONLINE),
            (conference, RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON),
            (past, RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON),
            (webinar, RegistrationStatus.CONFIRMED, AttendanceMode.ONLINE),
            (hybrid, RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON),
        ]
    ):
        registrations.append(
            RegistrationFactory(
                event=event,
                status=status,
                mode=mode,
                person=PersonFactory(first_name=f"Attendee{n}", last_name="Novak"),
                privacy_notice=notice,
                token=f"api-registration-token-{n:02d}",
                accessibility_needs="Step-free access" if n == 0 else "",
                waitlisted_at=now if status == RegistrationStatus.WAITLISTED else None,
            )
        )
    unattached = registrations[-1].person
    unattached.organisation = None
    unattached.save()
    first = registrations[0]
    first.session_picks.create(session=workshops[0], status=PickStatus.CONFIRMED)
    answers = ["Labour", "Skills", ["Panel"], True, "None"]
    for question, value in zip(questions, answers, strict=True):
        first.answers.create(question=question, value=value)
    badges = [
        issue_badge(registration=registration)
        for registration in registrations
        if registration.status == RegistrationStatus.CONFIRMED
        and registration.mode == AttendanceMode.IN_PERSON
    ]
    checkins = [
        CheckInFactory(registration=registrations[1], badge=badges[1]),
        CheckInFactory(registration=registrations[-1]),
        CheckInFactory(registration=registrations[8]),
    ]
    device = DeviceFactory(name="Door 1", events=[hybrid], last_seen_at=now)

    report = Report.objects.create(
        event=past, status=ReportStatus.DONE, attempt=1, requested_at=now, finished_at=now
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.xlsx.save("report.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    report.save()
    print_runs = [
        PrintRun.objects.create(event=hybrid, status=PrintRunStatus.DONE, total=2, done=2),
        PrintRun.objects.create(event=hybrid, filters={"roles": ["speaker"]}),
    ]
    print_runs[0].file.save("badges.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))

    organiser = get_user_model().objects.create_user("api-organiser", is_staff=True)
    organiser.groups.add(Group.objects.get(name="organisers"))

    return Dataset(
        device_token=device.token,
        organiser=organiser,
        slugs=[
            hybrid.slug,
            conference.slug,
            past.slug,
            webinar.slug,
            "api-postponed-event",
            "api-draft-event",
        ],
        device_event_slug=hybrid.slug,
        session_ids=[
            plenary.pk,
            *(w.pk for w in workshops),
            past_session.pk,
            conference_session.pk,
        ],
        signup_session_ids=[w.pk for w in workshops],
        registration_ids=[r.pk for r in registrations],
        tokens=[r.token for r in registrations],
        badge_codes=[b.code for b in badges],
        checkin_ids=[c.pk for c in checkins],
        document_ids=[d.pk for d in documents],
        print_run_ids=[r.pk for r in print_runs],
        question_ids={q.pk: (q.kind, q.choices) for q in questions},
        speaker_slugs=[s.slug for s in speakers],
        names=["Attendee0", "Novak", "attendee1"],
        media=media,
    )


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("schemathesis-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_dataset(media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def data(dataset, db, settings):
    """The dataset, with its files in this test's media directory and no rate limit in reach."""
    shutil.copytree(dataset.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"
        ),
    }
    # A request through WSGI closes the database connection when it ends, as on a server: that
    # would end the test's transaction. Django's test client keeps it open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield dataset
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# --- who calls -----------------------------------------------------------------------------------


def anonymous_credentials(data: Dataset) -> dict:
    return {}


def device_credentials(data: Dataset) -> dict:
    return {"headers": {"Authorization": f"Device {data.device_token}"}}


def organiser_credentials(data: Dataset) -> dict:
    """An API token of the organiser, good for every event."""
    _token, plaintext = issue_api_token(
        user=data.organiser, name="schemathesis", events=[], all_events=True
    )
    return {"headers": {"Authorization": f"Token {plaintext}"}}


def organiser_session_credentials(data: Dataset, *, csrf: bool = True) -> dict:
    """The organiser signed in to the admin; with the CSRF token unsafe requests need."""
    client = Client()
    client.force_login(data.organiser)
    csrf_token = secrets.token_hex(16)  # 32 characters: a secret Django accepts unmasked
    return {
        "headers": {"X-CSRFToken": csrf_token} if csrf else {},
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf_token,
        },
    }


# --- aiming at real objects ----------------------------------------------------------------------


def aim(case, data: Dataset) -> None:
    """Swaps, about half the time, the generated ids in ``case`` for those of real objects.

    The choice is drawn from the case's own content, so the same case is always sent the same
    way (Hypothesis replays a failing case to confirm it).
    """
    # Without a body, case.body is a marker whose repr holds its address: it is left out.
    body = case.body if isinstance(case.body, dict | list | str | int | float | bytes) else None
    digest = hashlib.sha256(repr((case.path_parameters, case.query, body)).encode()).digest()
    rng = random.Random(digest)

    def maybe(values):
        return rng.choice(values) if values and rng.random() < 0.6 else None

    path = case.path
    for name in list(case.path_parameters or {}):
        if name in ("slug", "event_slug"):
            values = data.speaker_slugs if path.startswith("/api/v1/speakers/") else data.slugs
        elif name == "token":
            values = data.tokens
        elif name == "id":
            if "/sessions/" in path:
                values = data.session_ids
            elif "/documents/" in path:
                values = data.document_ids
            elif "/print-runs/" in path:
                values = data.print_run_ids
            elif "/checkin/" in path:
                values = data.checkin_ids
            else:
                values = data.registration_ids
        else:
            values = None
        value = maybe(values)
        if value is not None:
            case.path_parameters[name] = value

    if isinstance(case.query, dict):
        for name, values in (
            ("session", data.session_ids),
            ("event", data.slugs),
            ("q", data.names),
        ):
            if name in case.query:
                value = maybe(values)
                if value is not None:
                    case.query[name] = value

    if not isinstance(body, dict) or case.media_type != "application/json":
        return
    if path.startswith("/api/v1/checkin/"):
        scans = body.get("scans") if path.endswith("/batch/") else [body]
        for scan in scans if isinstance(scans, list) else []:
            if isinstance(scan, dict):
                aim_scan(scan, data, rng, maybe)
    if "session_ids" in body and rng.random() < 0.6:
        body["session_ids"] = rng.sample(data.signup_session_ids, rng.randint(0, 2))
    if isinstance(body.get("answers"), dict) and rng.random() < 0.6:
        body["answers"] = aim_answers(body["answers"], data, rng)
    if path.endswith("/registrations/") and rng.random() < 0.6:
        # What the service checks beyond the schema, right: the rest of the body then decides.
        body.update(
            privacy_accepted=True,
            organisation_country=rng.choice(["BE", "si", "FR"]),
            email=f"fuzz.{digest.hex()[:12]}@example.org",
            mode=rng.choice(["", AttendanceMode.IN_PERSON, AttendanceMode.ONLINE]),
        )
        for name, value in (
            ("first_name", "Ana"),
            ("last_name", "Novak"),
            ("organisation_name", "Ministry of Labour"),
        ):
            if not (isinstance(body.get(name), str) and body[name].strip()):
                body[name] = value


def aim_scan(scan: dict, data: Dataset, rng: random.Random, maybe) -> None:
    if "event" in scan and rng.random() < 0.7:
        scan["event"] = data.device_event_slug
    if "code" in scan and "registration" in scan and rng.random() < 0.7:
        del scan[rng.choice(["code", "registration"])]
    for name, values in (
        ("code", data.badge_codes),
        ("registration", data.registration_ids),
        ("session", data.session_ids),
    ):
        if name in scan:
            value = maybe(values)
            if value is not None:
                scan[name] = value


def aim_answers(generated: dict, data: Dataset, rng: random.Random) -> dict:
    """Answers to the real questions: fitting ones, or the generated values (any JSON)."""
    if generated and rng.random() < 0.5:
        values = list(generated.values())
        return {str(question_id): rng.choice(values) for question_id in data.question_ids}
    answers = {}
    for question_id, (kind, choices) in data.question_ids.items():
        if kind == QuestionKind.YES_NO:
            answers[str(question_id)] = rng.choice([True, False])
        elif kind == QuestionKind.SINGLE_CHOICE:
            answers[str(question_id)] = rng.choice(choices)
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            answers[str(question_id)] = choices[: rng.randint(0, len(choices))]
        else:
            answers[str(question_id)] = "An answer"
    return answers


def call_and_validate(case, data: Dataset, credentials: dict) -> None:
    aim(case, data)
    case.call_and_validate(checks=CHECKS, **credentials)


# The examples of one operation share the test's fixtures (and its savepoint): what one example
# changes, the next sees, as on a live site. No example database: each run makes the same cases.
SETTINGS = hypothesis_settings(
    deadline=None,
    derandomize=True,
    max_examples=MAX_EXAMPLES,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    database=None,
)


@schema.parametrize()
@SETTINGS
def test_api_anonymous_conforms_to_schema(case, data):
    call_and_validate(case, data, anonymous_credentials(data))


@schema.parametrize()
@SETTINGS
def test_api_device_conforms_to_schema(case, data):
    call_and_validate(case, data, device_credentials(data))


@pytest.fixture
def organiser_auth(data):
    return organiser_credentials(data)


@schema.parametrize()
@SETTINGS
def test_api_organiser_conforms_to_schema(case, data, organiser_auth):
    call_and_validate(case, data, organiser_auth)


# --- requests that once answered 500 or an undocumented answer -----------------------------------

REGISTER = "/api/v1/events/{event_slug}/registrations/"
OWN = "/api/v1/registrations/{token}/"
HYBRID = "api-hybrid-forum"


def question_id(data: Dataset, kind: str) -> str:
    return str(next(pk for pk, (k, _choices) in data.question_ids.items() if k == kind))


def registration_body(**fields) -> dict:
    return {
        "first_name": "Ana",
        "last_name": "Novak",
        "email": "ana.regression@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "mode": AttendanceMode.IN_PERSON,
        "privacy_accepted": True,
        **fields,
    }


def register_with(**fields):
    return lambda data: {
        "path_parameters": {"event_slug": HYBRID},
        "body": registration_body(**fields),
    }


EDGE_REQUESTS = {
    "answer list holding an object": (
        "anonymous",
        "POST",
        REGISTER,
        lambda data: {
            "path_parameters": {"event_slug": HYBRID},
            "body": registration_body(
                answers={question_id(data, QuestionKind.MULTIPLE_CHOICE): [{"a": 1}]}
            ),
        },
        400,
    ),
    "answer holding NUL": (
        "anonymous",
        "POST",
        REGISTER,
        lambda data: {
            "path_parameters": {"event_slug": HYBRID},
            "body": registration_body(
                answers={question_id(data, QuestionKind.SHORT_TEXT): "a\x00"}
            ),
        },
        400,
    ),
    "answer keyed by a digit int() refuses": (
        "anonymous",
        "POST",
        REGISTER,
        register_with(answers={"²": "x"}),
        400,
    ),
    "session id beyond 64 bits": (
        "anonymous",
        "POST",
        REGISTER,
        register_with(session_ids=[2**64]),
        400,
    ),
    "new session picks beyond 64 bits": (
        "anonymous",
        "PATCH",
        OWN,
        lambda data: {
            "path_parameters": {"token": data.tokens[0]},
            "body": {"session_ids": [2**64]},
        },
        400,
    ),
    "token holding NUL": (
        "anonymous",
        "GET",
        OWN,
        lambda data: {"path_parameters": {"token": "a\x00b"}},
        404,
    ),
    "search holding NUL": (
        "device",
        "GET",
        "/api/v1/events/{slug}/checkin-search/",
        lambda data: {"path_parameters": {"slug": HYBRID}, "query": {"q": "ana\x00"}},
        400,
    ),
    "session given as a digit int() refuses": (
        "device",
        "GET",
        "/api/v1/events/{slug}/checkin-stats/",
        lambda data: {"path_parameters": {"slug": HYBRID}, "query": {"session": "²"}},
        400,
    ),
    "start before year 1 in UTC": (
        "anonymous",
        "GET",
        "/api/v1/events/",
        lambda data: {"query": {"starts_after": "0001-01-01T00:00:00+14:00"}},
        400,
    ),
    "start after year 9999 in UTC": (
        "anonymous",
        "GET",
        "/api/v1/events/",
        lambda data: {"query": {"starts_before": "9999-12-31T23:59:59-14:00"}},
        400,
    ),
    "page beyond the list": (
        "anonymous",
        "GET",
        "/api/v1/events/",
        lambda data: {"query": {"page": 99}},
        404,
    ),
    "check-in id that is not a number": (
        "organiser",
        "POST",
        "/api/v1/checkin/{id}/undo/",
        lambda data: {"path_parameters": {"id": "AAA"}},
        404,
    ),
    "online event, without venue": (
        "anonymous",
        "GET",
        "/api/v1/events/{slug}/",
        lambda data: {"path_parameters": {"slug": "api-webinar"}},
        200,
    ),
    "registration without invitation": (
        "organiser",
        "GET",
        "/api/v1/organiser/registrations/{id}/",
        lambda data: {"path_parameters": {"id": data.registration_ids[0]}},
        200,
    ),
    "organiser signed in to the admin": (
        "organiser session",
        "POST",
        "/api/v1/organiser/registrations/{id}/approve/",
        lambda data: {"path_parameters": {"id": data.registration_ids[4]}, "body": {}},
        200,
    ),
    "organiser signed in, without the CSRF token": (
        "organiser session without CSRF token",
        "POST",
        "/api/v1/organiser/registrations/{id}/approve/",
        lambda data: {"path_parameters": {"id": data.registration_ids[4]}, "body": {}},
        403,
    ),
    "attendee's change from a signed-in browser without the CSRF token": (
        "organiser session without CSRF token",
        "PATCH",
        OWN,
        lambda data: {"path_parameters": {"token": data.tokens[0]}, "body": {}},
        403,
    ),
    "attendee's badge, attending online": (
        "anonymous",
        "GET",
        "/api/v1/registrations/{token}/badge.pdf",
        lambda data: {"path_parameters": {"token": data.tokens[2]}},
        403,
    ),
    "badge print run's file": (
        "organiser",
        "GET",
        "/api/v1/events/{slug}/print-runs/{id}/file/",
        lambda data: {"path_parameters": {"slug": HYBRID, "id": data.print_run_ids[0]}},
        200,
    ),
    "report workbook": (
        "organiser",
        "GET",
        "/api/v1/events/{slug}/report/{kind}/",
        lambda data: {"path_parameters": {"slug": "api-past-meeting", "kind": "xlsx"}},
        200,
    ),
}

CREDENTIALS = {
    "anonymous": anonymous_credentials,
    "device": device_credentials,
    "organiser": organiser_credentials,
    "organiser session": organiser_session_credentials,
    "organiser session without CSRF token": partial(organiser_session_credentials, csrf=False),
}


@pytest.mark.parametrize(
    ("who", "method", "path", "request_of", "status"),
    list(EDGE_REQUESTS.values()),
    ids=list(EDGE_REQUESTS),
)
def test_api_edge_request_answers_as_documented(data, who, method, path, request_of, status):
    case = schema[path][method].Case(media_type="application/json", **request_of(data))

    response = case.call_and_validate(checks=CHECKS, **CREDENTIALS[who](data))

    assert response.status_code == status


def test_schema_documents_the_errors_drf_answers_by_itself(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    def statuses(path: str, method: str) -> list[str]:
        return sorted(paths[path][method]["responses"])

    # A filter or a page out of range; credentials refused (403: the session scheme comes first).
    assert statuses("/api/v1/events/", "get") == ["200", "400", "403", "404"]
    assert statuses("/api/v1/speakers/{slug}/", "get") == ["200", "403", "404"]
    # The token scheme comes first: missing credentials are 401, missing permissions 403.
    organiser_list = statuses("/api/v1/organiser/registrations/", "get")
    assert organiser_list == ["200", "400", "401", "403", "404", "429"]
    assert paths["/api/v1/events/"]["get"]["responses"]["400"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
    }

"""What every URL pattern of the site is, and what each kind of caller may do there.

Every pattern that Django's resolver knows is either an ``Endpoint`` here (keyed by its URL
name) or in ``EXCLUDED`` with the reason; ``tests/test_access_matrix.py`` fails on a pattern that
is neither, on an entry whose pattern is gone, and on an endpoint whose routed methods differ
from the ones listed here, so a new endpoint or method cannot escape the matrix.

Kinds of endpoint:

- public: anyone may read; what an unsafe method writes is limited to what the endpoint is for
  (``allowed_writes``), and no answer carries side A's personal data.
- token: reached by a secret in the address (a registration's, a person's calendar, a survey
  response's, a data request's). Attendee A's own secret is the positive control; attendee B's
  secret, with A's ids put wherever the request names an id, reaches only B's things.
- organiser: the organisers' API, for staff with the permissions; an API token reaches only
  its events.
- scanner: the check-in API, for scanner devices (only at their events) and organisers.
- page: the organisers' pages (scanner page, print runs, attendance). They take the admin's
  session only, and an organiser's session reaches every event (the organisers group's rights
  are site-wide), so the matrix checks that they accept none of the header credentials: every
  caller here is sent to sign in or refused.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

from .world import GUESSED_TOKEN, Side, World

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Kind(StrEnum):
    PUBLIC = "public"
    TOKEN = "token"
    ORGANISER = "organiser"
    SCANNER = "scanner"
    PAGE = "page"


class Outcome(StrEnum):
    OK = "ok"  # the positive control: 2xx or 3xx (not a redirect to sign in)
    DENY = "deny"  # 401, 403, 404 or 405 (a page may send to sign in); nothing written
    OWN = "own"  # B's own secret: any answer but a server error; A untouched and unseen
    OPEN = "open"  # public: any answer but a server error; only the endpoint's own writes
    NO_DATA = "no-data"  # a list outside the caller's reach: empty or refused; nothing written


@dataclass(frozen=True)
class Actor:
    name: str
    label: str
    target: str  # the side whose objects the request names: "a" or "b"
    sees: str  # the side whose people this caller may see, "" for none

    def header(self, world: World, kind: Kind) -> str | None:
        """The Authorization header this caller sends to an endpoint of ``kind``."""
        if self.name.startswith("device"):
            return f"Device {world.device_token}"
        if self.name.startswith("organiser"):
            return f"Token {world.organiser_token}"
        if self.name.startswith("attendee") and kind in (Kind.ORGANISER, Kind.SCANNER, Kind.PAGE):
            # An attendee's only credential is their registration token: tried as an API key.
            return f"Token {world.side(self.name[-1]).registration.token}"
        return None


ANONYMOUS = Actor("anonymous", "anonymous", "a", "")
ATTENDEE_A = Actor("attendee_a", "attendee A", "a", "a")
ATTENDEE_B = Actor("attendee_b", "attendee B", "a", "b")
DEVICE_A = Actor("device_a", "device of A", "a", "a")
DEVICE_A_AT_B = Actor("device_a_at_b", "device of A, at B", "b", "a")
ORGANISER_B_AT_A = Actor("organiser_b_at_a", "organiser of B, at A", "a", "b")
ORGANISER_B = Actor("organiser_b", "organiser of B", "b", "b")

ACTORS = (
    ANONYMOUS,
    ATTENDEE_A,
    ATTENDEE_B,
    DEVICE_A,
    DEVICE_A_AT_B,
    ORGANISER_B_AT_A,
    ORGANISER_B,
)
# Public and token endpoints name side A's things only: the "at B" columns would repeat others.
ACTORS_AT_A = (ANONYMOUS, ATTENDEE_A, ATTENDEE_B, DEVICE_A, ORGANISER_B_AT_A)


@dataclass(frozen=True)
class Call:
    """One request to build: who sends it, with which method, in which world."""

    world: World
    actor: Actor
    method: str

    @property
    def target(self) -> Side:
        """The side whose objects an organiser or scanner request names."""
        return self.world.side(self.actor.target)

    @property
    def victim(self) -> Side:
        """Side A: its ids go wherever a request names an id, whoever sends it."""
        return self.world.a

    def secret(self, kind: str) -> str:
        """What this caller puts where an address takes a personal token of ``kind``."""
        name = self.actor.name
        if name.startswith("attendee"):
            side = self.world.side(name[-1])
            return {
                "registration": side.registration.token,
                "past_registration": side.past_registration.token,
                "calendar": side.person.calendar_token,
                "survey": side.survey_response.token,
                "privacy": side.data_request.token,
            }[kind]
        if name.startswith("device"):
            return self.world.device_token
        if name.startswith("organiser"):
            return self.world.organiser_token or "no-organiser-token"
        return GUESSED_TOKEN


Request = Callable[[Call], tuple[str, dict | None]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    kind: Kind
    methods: tuple[str, ...]
    request: Request
    note: str = ""
    # Public endpoints that write by design: the models they may write to, whoever calls.
    allowed_writes: frozenset[str] = frozenset()
    # Outcomes that differ from the kind's rule, by actor name.
    expect: dict[str, Outcome] = field(default_factory=dict)

    @property
    def actors(self) -> tuple[Actor, ...]:
        return ACTORS_AT_A if self.kind in (Kind.PUBLIC, Kind.TOKEN) else ACTORS

    def outcome(self, actor: Actor) -> Outcome:
        if actor.name in self.expect:
            return self.expect[actor.name]
        if self.kind == Kind.PUBLIC:
            return Outcome.OPEN
        if self.kind == Kind.TOKEN:
            return {"attendee_a": Outcome.OK, "attendee_b": Outcome.OWN}.get(
                actor.name, Outcome.DENY
            )
        if self.kind == Kind.ORGANISER:
            return Outcome.OK if actor.name == "organiser_b" else Outcome.DENY
        if self.kind == Kind.SCANNER:
            return Outcome.OK if actor.name in ("organiser_b", "device_a") else Outcome.DENY
        return Outcome.DENY


def path(template: str) -> Request:
    """A request without a body whose address is filled in from the call."""
    return lambda call: (template.format(call=call, a=call.victim, t=call.target), None)


def with_body(template: str, body: Callable[[Call], dict]) -> Request:
    return lambda call: (template.format(call=call, a=call.victim, t=call.target), body(call))


def _register_form(call: Call) -> dict:
    """The registration form, filled in with A's address: by anyone it is A's neutral resend."""
    person = call.victim.person
    return {
        "first_name": "Someone",
        "last_name": "Else",
        "email": person.email,
        "organisation_name": "Another Ministry",
        "organisation_type": "national_authority",
        "organisation_country": "BE",
        "job_title": "Adviser",
        "mode": "in_person",
        "privacy_accepted": True,
    }


def _scan(call: Call) -> dict:
    t = call.target
    return {"event": t.event.slug, "code": t.badge.code, "session": t.plenary.pk}


def _batch(call: Call) -> dict:
    scan = _scan(call) | {
        "idempotency_key": f"matrix-{call.actor.name}",
        "scanned_at": timezone.now().isoformat(),
    }
    return {"scans": [scan]}


REASON = {"reason": "Access matrix"}
REGISTRATION_ACTIONS = {
    "approve": "pending",
    "decline": "pending",
    "cancel": "registration",
    "promote": "waitlisted",
    "reopen": "declined",
}
REGISTRATION_WRITES = frozenset(
    {
        "members.Organisation",  # the organisation typed in, if new
        "registrations.OutboxEmail",
        "registrations.AuditEntry",
        "webhooks.WebhookDelivery",
    }
)

ENDPOINTS: tuple[Endpoint, ...] = (
    # --- public: the agenda, its feeds and exports, the API's public reads ----------------------
    Endpoint("healthz", Kind.PUBLIC, ("GET",), path("/healthz")),
    Endpoint(
        "switch-language",
        Kind.PUBLIC,
        METHODS,
        path("/language/fr/?next=/events/{a.event.slug}/"),
        note="a cookie and a redirect, whatever the method",
    ),
    Endpoint("api-root", Kind.PUBLIC, ("GET",), path("/api/v1/")),
    Endpoint("event-list", Kind.PUBLIC, ("GET",), path("/api/v1/events/")),
    Endpoint("event-detail", Kind.PUBLIC, ("GET",), path("/api/v1/events/{a.event.slug}/")),
    Endpoint("speaker-list", Kind.PUBLIC, ("GET",), path("/api/v1/speakers/")),
    Endpoint("speaker-detail", Kind.PUBLIC, ("GET",), path("/api/v1/speakers/speaker-a/")),
    Endpoint(
        "event-session-list", Kind.PUBLIC, ("GET",), path("/api/v1/events/{a.event.slug}/sessions/")
    ),
    Endpoint(
        "event-session-detail",
        Kind.PUBLIC,
        ("GET",),
        path("/api/v1/events/{a.event.slug}/sessions/{a.plenary.pk}/"),
    ),
    Endpoint(
        "event-document-list",
        Kind.PUBLIC,
        ("GET",),
        path("/api/v1/events/{a.event.slug}/documents/"),
    ),
    Endpoint(
        "event-document-detail",
        Kind.PUBLIC,
        ("GET",),
        path("/api/v1/events/{a.event.slug}/documents/{a.document.pk}/"),
    ),
    Endpoint(
        "event-registration-create",
        Kind.PUBLIC,
        ("POST",),
        with_body("/api/v1/events/{a.event.slug}/registrations/", _register_form),
        note="A's address: the neutral answer, and A's registration email sent again to A",
        allowed_writes=REGISTRATION_WRITES,
    ),
    Endpoint("api-schema", Kind.PUBLIC, ("GET",), path("/api/schema/")),
    Endpoint("api-docs", Kind.PUBLIC, ("GET",), path("/api/docs/")),
    Endpoint(
        "registrations:register",
        Kind.PUBLIC,
        ("GET", "POST"),
        with_body("/events/{a.event.slug}/register/", _register_form),
        note="A's address: the neutral answer, and A's registration email sent again to A",
        allowed_writes=REGISTRATION_WRITES,
    ),
    Endpoint(
        "privacy:index",
        Kind.PUBLIC,
        ("GET", "POST"),
        with_body("/privacy/", lambda call: {"email": call.victim.person.email, "kind": "access"}),
        note="an access request about A's address: the link goes to A's mailbox only",
        allowed_writes=frozenset({"privacy.DataRequest", "registrations.OutboxEmail"}),
    ),
    Endpoint("agenda:home", Kind.PUBLIC, METHODS, path("/")),
    Endpoint("agenda:event", Kind.PUBLIC, METHODS, path("/events/{a.event.slug}/")),
    Endpoint(
        "agenda:session",
        Kind.PUBLIC,
        METHODS,
        path("/events/{a.event.slug}/sessions/{a.plenary.pk}/"),
    ),
    Endpoint("agenda:speaker", Kind.PUBLIC, METHODS, path("/speakers/speaker-a/")),
    Endpoint("agenda:calendar", Kind.PUBLIC, ("GET",), path("/calendar.ics")),
    Endpoint(
        "agenda:event-calendar", Kind.PUBLIC, ("GET",), path("/events/{a.event.slug}/calendar.ics")
    ),
    Endpoint(
        "agenda:session-calendar",
        Kind.PUBLIC,
        ("GET",),
        path("/events/{a.event.slug}/sessions/{a.plenary.pk}/calendar.ics"),
    ),
    Endpoint(
        "agenda:schedule-xml", Kind.PUBLIC, ("GET",), path("/events/{a.event.slug}/schedule.xml")
    ),
    Endpoint(
        "agenda:schedule-json", Kind.PUBLIC, ("GET",), path("/events/{a.event.slug}/schedule.json")
    ),
    Endpoint(
        "agenda:schedule-xcal", Kind.PUBLIC, ("GET",), path("/events/{a.event.slug}/schedule.xcal")
    ),
    # --- token: the attendee's own pages, feeds and API --------------------------------------
    Endpoint(
        "own-registration",
        Kind.TOKEN,
        ("GET", "PATCH", "DELETE"),
        lambda call: (
            f"/api/v1/registrations/{call.secret('registration')}/",
            {"session_ids": [call.victim.workshop.pk]} if call.method == "PATCH" else None,
        ),
        note="PATCH signs up for A's workshop",
    ),
    Endpoint(
        "own-registration-badge",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/api/v1/registrations/{call.secret('registration')}/badge.pdf", None),
    ),
    Endpoint(
        "badges:badge-pdf",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/registration/{call.secret('registration')}/badge.pdf", None),
    ),
    Endpoint(
        "registrations:manage",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/registration/{call.secret('registration')}/", None),
    ),
    Endpoint(
        "registrations:cancel",
        Kind.TOKEN,
        ("GET", "POST"),
        lambda call: (f"/registration/{call.secret('registration')}/cancel/", {}),
    ),
    Endpoint(
        "registrations:change-mode",
        Kind.TOKEN,
        ("POST",),
        lambda call: (
            f"/registration/{call.secret('registration')}/attendance/",
            {"mode": "online"},
        ),
    ),
    Endpoint(
        "registrations:change-sessions",
        Kind.TOKEN,
        ("POST",),
        lambda call: (
            f"/registration/{call.secret('registration')}/sessions/",
            {"sessions": [call.victim.workshop.pk]},
        ),
        note="signs up for A's workshop",
    ),
    Endpoint(
        "registrations:renew-calendar",
        Kind.TOKEN,
        ("POST",),
        lambda call: (f"/registration/{call.secret('registration')}/calendar/renew/", {}),
    ),
    Endpoint(
        "registrations:change-consent",
        Kind.TOKEN,
        ("POST",),
        lambda call: (
            f"/registration/{call.secret('registration')}/consent/",
            {"photo_consent": "on", "participant_list_consent": "on"},
        ),
    ),
    Endpoint(
        "registrations:participants",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/registration/{call.secret('registration')}/participants/", None),
    ),
    Endpoint(
        "registrations:invitation",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/registration/{call.secret('registration')}/invite.ics", None),
    ),
    Endpoint(
        "registrations:personal-calendar",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/calendar/{call.secret('calendar')}.ics", None),
    ),
    Endpoint(
        "privacy:request",
        Kind.TOKEN,
        ("GET", "POST"),
        lambda call: (f"/privacy/request/{call.secret('privacy')}/", {}),
    ),
    Endpoint(
        "privacy:download-json",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/privacy/request/{call.secret('privacy')}/my-data.json", None),
    ),
    Endpoint(
        "privacy:download-html",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/privacy/request/{call.secret('privacy')}/my-data.html", None),
    ),
    Endpoint(
        "reports:join",
        Kind.TOKEN,
        ("GET",),
        lambda call: (
            f"/r/{call.secret('past_registration')}/join/?session={call.victim.plenary.pk}",
            None,
        ),
        note="asks for A's session",
    ),
    Endpoint(
        "reports:certificate",
        Kind.TOKEN,
        ("GET",),
        lambda call: (f"/r/{call.secret('past_registration')}/certificate.pdf", None),
    ),
    Endpoint(
        "reports:survey",
        Kind.TOKEN,
        ("GET", "POST"),
        lambda call: (
            f"/feedback/{call.secret('survey')}/",
            {f"q{call.victim.survey_question.pk}": "Answered through the access matrix."},
        ),
        note="POST answers A's survey question",
    ),
    # --- organisers' API ---------------------------------------------------------------------
    Endpoint(
        "organiser-registration-list",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/organiser/registrations/?event={t.event.slug}"),
        expect={"organiser_b_at_a": Outcome.NO_DATA},
    ),
    Endpoint(
        "organiser-registration-detail",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/organiser/registrations/{t.registration.pk}/"),
    ),
    *(
        Endpoint(
            f"organiser-registration-{action}",
            Kind.ORGANISER,
            ("POST",),
            with_body(
                f"/api/v1/organiser/registrations/{{t.{target}.pk}}/{action}/", lambda call: REASON
            ),
            note=f"the {target} registration" if target != "registration" else "the attendee",
        )
        for action, target in REGISTRATION_ACTIONS.items()
    ),
    Endpoint(
        "api-event-report",
        Kind.ORGANISER,
        ("GET", "POST"),
        path("/api/v1/events/{t.event.slug}/report/"),
    ),
    Endpoint(
        "api-event-report-file",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/report/pdf/"),
    ),
    Endpoint(
        "organiser-registration-badge",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/organiser/registrations/{t.registration.pk}/badge/"),
    ),
    Endpoint(
        "organiser-registration-badge-pdf",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/organiser/registrations/{t.registration.pk}/badge.pdf"),
    ),
    Endpoint(
        "organiser-registration-badge-reissue",
        Kind.ORGANISER,
        ("POST",),
        path("/api/v1/organiser/registrations/{t.registration.pk}/badge/reissue/"),
        note="the attendee's badge: its old code stops working",
    ),
    Endpoint(
        "api-event-print-runs",
        Kind.ORGANISER,
        ("POST",),
        with_body(
            "/api/v1/events/{t.event.slug}/print-runs/", lambda call: {"roles": ["attendee"]}
        ),
    ),
    Endpoint(
        "api-event-print-run",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/print-runs/{t.print_run.pk}/"),
    ),
    Endpoint(
        "api-event-print-run-file",
        Kind.ORGANISER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/print-runs/{t.print_run.pk}/file/"),
    ),
    # --- scanners ----------------------------------------------------------------------------
    Endpoint(
        "api-checkin",
        Kind.SCANNER,
        ("POST",),
        with_body("/api/v1/checkin/", _scan),
        note="the attendee's badge, into the plenary",
    ),
    Endpoint(
        "api-checkin-batch", Kind.SCANNER, ("POST",), with_body("/api/v1/checkin/batch/", _batch)
    ),
    Endpoint(
        "api-checkin-undo",
        Kind.SCANNER,
        ("POST",),
        path("/api/v1/checkin/{t.checkin.pk}/undo/"),
        note="organisers only",
        expect={"device_a": Outcome.DENY},
    ),
    Endpoint(
        "api-checkin-list",
        Kind.SCANNER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/checkin-list/"),
    ),
    Endpoint(
        "api-checkin-search",
        Kind.SCANNER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/checkin-search/?q={t.person.last_name}"),
    ),
    Endpoint(
        "api-checkin-stats",
        Kind.SCANNER,
        ("GET",),
        path("/api/v1/events/{t.event.slug}/checkin-stats/"),
    ),
    # --- organisers' pages (admin session only) ---------------------------------------------
    Endpoint("scanner:checkin", Kind.PAGE, METHODS, path("/events/{t.event.slug}/checkin/")),
    Endpoint(
        "badges:print-runs",
        Kind.PAGE,
        ("GET", "POST"),
        with_body("/events/{t.event.slug}/badges/", lambda call: {}),
    ),
    Endpoint(
        "badges:print-run-status",
        Kind.PAGE,
        ("GET",),
        path("/events/{t.event.slug}/badges/runs/{t.print_run.pk}/status/"),
    ),
    Endpoint(
        "badges:print-run-file",
        Kind.PAGE,
        ("GET",),
        path("/events/{t.event.slug}/badges/runs/{t.print_run.pk}/badges.pdf"),
    ),
    Endpoint(
        "reports:attendance",
        Kind.PAGE,
        ("GET", "POST"),
        with_body(
            "/events/{t.event.slug}/attendance/",
            lambda call: {"registration": call.target.registration.pk, "action": "absent"},
        ),
    ),
)

# URL patterns outside the matrix, by URL name (or route, for unnamed ones), and why.
EXCLUDED = {
    "admin": (
        "Django's admin (every pattern under admin/): its own permission system, each model "
        "admin's has_*_permission; tested in the apps' test_admin.py"
    ),
    r"^media/(?P<path>.*)$": (
        "development only (DEBUG): serves uploaded files; in production the web server does, "
        "and nothing personal is uploaded there"
    ),
}

BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


@dataclass(frozen=True)
class Cell:
    endpoint: Endpoint
    method: str
    actor: Actor

    @property
    def id(self) -> str:
        return f"{self.endpoint.name.replace(':', '.')}-{self.method}-{self.actor.name}"

    @property
    def outcome(self) -> Outcome:
        return self.endpoint.outcome(self.actor)


CELLS = tuple(
    Cell(endpoint, method, actor)
    for endpoint in ENDPOINTS
    for method in endpoint.methods
    for actor in endpoint.actors
)

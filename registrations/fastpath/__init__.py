"""The everyday registration, answered in three SQL statements before the rest of the stack.

In a rush for seats almost every request is the same: ``POST /api/v1/events/<slug>/registrations/``
from someone not signed in, a plain JSON body (name, email, organisation, job title, mode,
needs, consents; no answers, session picks or invitation code), for a published event open to
all or to members, from an address the site does not know yet. Through the site's middleware,
DRF, the serializer, the ORM and the register service that took about 9 ms of CPU.
``RegistrationFastPathMiddleware`` takes over exactly that request on PostgreSQL:

1. the body is read and checked as the serializer would, and only a body it would accept
   unchanged (apart from the whitespace it trims) is taken; the request is counted once against
   the API's rate limit (``ratelimit.api_registration_hit``, which the view's throttle reads);
2. one statement (``sql``: ``person``) finds or makes the organisation and makes the person,
   before any lock; then one (``lock``) locks the event's row, as ``capacity.lock_event_seats``
   does, and reads the rules the registration is checked against; the service's own checks
   (``services.check_registration_open``, ``check_mode``, ``membership_eligibility``) decide;
3. one statement (``sql``: ``write``), in a snapshot taken after the lock was granted, counts
   the mode's seats and writes the registration, its audit entry and its outbox email;
4. ``signals.registration_changed`` is sent inside the transaction, as ``services._audit``
   sends it, unless each receiver said it would do nothing for the event
   (``signals.registration_changed_quiet``: webhooks, when none wants its registrations); after
   the commit the email is handed to Celery (``dispatch.dispatch_soon``).

The API view (``api.views.EventRegistrationCreateView`` with ``services.register``) stays the
reference: the answer, its headers and the rows written are the view's, and
``tests/registrations/test_fastpath.py`` holds the two together. Anything else goes on to the
view untouched, and so does a request the statements cannot settle: another database, a session
or an ``Authorization`` header, a body the serializer would refuse or change, answers, session
picks, an invitation code, a consent to the privacy notice not given, an event not open for
registration, by invitation, with a required question or without a privacy notice in force, a
member's organisation not eligible, an address already known (the view answers it without
revealing the registration), a rate limit reached (the view answers 429, without counting the
request twice), a lock not obtained in time, and any error. Nothing is written then: the
transaction is rolled back before the view runs.

Placed in ``MIDDLEWARE`` right after ``SecurityMiddleware``, beside the door's fast path (see
``badges.fastpath`` on what is reproduced of the middleware after it).
``REGISTRATION_FAST_PATH = False`` in the settings sends every registration to the view.
"""

import functools
import logging
import re
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation

from agenda.enums import Audience
from agenda.models import Event
from eventsite.exceptions import ApplicationError
from eventsite.fastpath import json_body, json_response, keeps_plans
from members.membership import membership_eligibility
from members.models import Person, new_calendar_token

from ..dispatch import dispatch_soon
from ..emails import manage_url, subject_line
from ..enums import AttendanceMode, RegistrationStatus
from ..models import Registration, new_token
from ..ratelimit import api_registration_hit
from ..services import check_mode, check_registration_open
from ..signals import registration_changed, registration_changed_quiet
from .body import plain_registration
from .sql import (
    APPROVAL,
    EMAIL,
    EMAIL_KINDS,
    EVENT,
    NOTICE,
    ORGANISATION,
    PERSON,
    POSITION,
    REGISTERED_AT,
    REGISTRATION,
    REQUIRED_QUESTION,
    STATUS,
    statements,
)

logger = logging.getLogger(__name__)

# Names, email, organisation and needs at their longest, as JSON, with room to spare: a longer
# body is not the everyday registration.
MAX_BODY = 16384
# The view's allowed methods, as DRF tells them, and its Vary: DRF's content negotiation, the
# language, and the session that DRF's authentication reads.
ALLOW = "POST, OPTIONS"
VARY = "Accept, Accept-Language, Cookie"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class RegistrationFastPathMiddleware:
    """Answers the everyday ``POST /api/v1/events/<slug>/registrations/`` when ``answer``
    can; any other request goes on."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.around: tuple[str, str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            slug = self._slug(request.path_info)
            if slug is not None:
                response = answer(request, slug)
                if response is not None:
                    return response
        return self.get_response(request)

    def _slug(self, path: str) -> str | None:
        if self.around is None:
            url = reverse("event-registration-create", kwargs={"event_slug": "slug"})
            before, after = url.removeprefix(get_script_prefix()).rsplit("slug", 1)
            self.around = ("/" + before, after)
        before, after = self.around
        if not (path.startswith(before) and path.endswith(after)):
            return None
        slug = path[len(before) : len(path) - len(after)]
        return slug if SLUG.fullmatch(slug) else None


class _ForTheView(Exception):
    """The request is the view's to answer; the transaction is rolled back."""


# --- the request -------------------------------------------------------------------------------


def answer(request: HttpRequest, slug: str) -> HttpResponse | None:
    """The answer to an everyday registration, or None for the view to answer."""
    if not getattr(settings, "REGISTRATION_FAST_PATH", True):
        return None
    alias = router.db_for_write(Registration)
    connection = connections[alias]
    if not keeps_plans(connection) or statements(alias) is None:
        return None
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # the view knows who is signed in
    data = json_body(request, max_body=MAX_BODY)
    submitted = None if data is None else plain_registration(data)
    if submitted is None:
        return None
    if api_registration_hit(request) is not None:
        return None  # the view answers 429 from the same count
    request_language = translation.get_language_from_request(request)
    submitted["language"] = submitted["language"] or request_language
    with translation.override(request_language):
        made = _register(alias, slug, submitted)
        if made is None:
            return None
        return json_response(_created(*made), status=201, allow=ALLOW, vary=VARY)


# --- running it --------------------------------------------------------------------------------


# The id of the event each slug named when this process last registered for it: with it, and
# with no receiver of ``registration_changed`` to act, a registration is sent in two round trips
# with its commit (``_in_one_go``). Checked against what the slug names on each use.
_event_ids: dict[str, int] = {}


def _register(
    alias: str, slug: str, submitted: dict[str, Any]
) -> tuple[str, int | None, dict[str, Any]] | None:
    """Registers in one transaction; the registration's state, its waitlist position and the
    values written, or None (nothing written)."""
    connection = connections[alias]
    params = _person_params(submitted)
    params["slug"] = slug
    timeout = int(getattr(settings, "REGISTRATIONS_LOCK_TIMEOUT_MS", 5000))
    params["lock_timeout"] = f"{timeout}ms"
    event_id = _event_ids.get(slug)
    try:
        if (
            event_id is not None
            and not connection.in_atomic_block
            and not _receivers_may_act(event_id)
        ):
            return _in_one_go(connection, event_id, submitted, params)
        with transaction.atomic(using=alias), connection.wrap_database_errors:
            event, row = _write(connection, submitted, params, then=())
            _event_ids[slug] = event.pk
            if _receivers_may_act(event.pk):
                registration_changed.send(
                    sender=Registration,
                    registration=_registration(alias, event, row, params),
                    action="registered",
                    from_status="",
                    to_status=row[STATUS],
                )
            email_id = row[EMAIL]
            transaction.on_commit(lambda: dispatch_soon(email_id), using=alias)
            return row[STATUS], row[POSITION], params
    except _ForTheView:
        return None
    except DatabaseError:
        # A lock not obtained in time, the same address registered at the same moment, a lost
        # connection: the view does it again and answers.
        return None
    except Exception:
        logger.exception("A registration's receivers failed in the fast path; the view answers")
        return None


def _in_one_go(
    connection, event_id: int, submitted: dict[str, Any], params: dict[str, Any]
) -> tuple[str, int | None, dict[str, Any]]:
    """``_register`` for an event with nobody to tell: the transaction's BEGIN sent with the
    first two statements, its COMMIT with the last two, so that no round trip to this process
    falls while the event's row is locked. Outside Django's transaction management (the
    connection is in autocommit mode and stays so); anything that fails is rolled back here."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        try:
            _event, row = _write(
                connection, submitted, params, first=(BEGIN,), then=(COMMIT,), event_id=event_id
            )
        except BaseException:
            connection.connection.rollback()  # nothing once the transaction ended
            raise
    dispatch_soon(row[EMAIL])
    return row[STATUS], row[POSITION], params


def _write(
    connection,
    submitted: dict[str, Any],
    params: dict[str, Any],
    *,
    first: tuple = (),
    then: tuple,
    event_id: int | None = None,
) -> tuple[Event, tuple]:
    """The four statements (``sql``) two by two, ``first`` sent before the first two and
    ``then`` after the last two; the event and the ``write`` statement's row. Raises
    ``_ForTheView`` when the rules leave the registration to the view, or when the slug names
    another event than ``event_id`` (if given)."""
    rules_sql, person_sql, lock_sql, write_sql = statements(connection.alias)
    *_first, rules, person = _together(
        connection, *first, (rules_sql, params), (person_sql, params)
    )
    if person[ORGANISATION] is None:
        # Made by another registration since the statement began: found by a new one.
        (person,) = _together(connection, (person_sql, params))
    if rules is None or person[PERSON] is None:
        raise _ForTheView  # no such public event, or the address is known
    event = _event(connection.alias, rules)
    if event_id is not None and event.pk != event_id:
        _event_ids.pop(params["slug"], None)
        raise _ForTheView
    params["person"], params["organisation_id"] = person
    mode = _allowed_mode(event, rules, submitted)
    params.update(_write_params(event, rules, submitted, mode))
    _locked, row, *_then = _together(connection, (lock_sql, params), (write_sql, params), *then)
    return event, row


# Transaction control, sent as it is (never prepared).
BEGIN = ("BEGIN", None)
COMMIT = ("COMMIT", None)


def _together(connection, *queries: tuple[str, dict[str, Any] | None]) -> list[tuple | None]:
    """Each query's first row (None for one without rows), the queries sent together in one
    round trip and run in order (psycopg's pipeline mode)."""
    raw = connection.connection
    cursors = [raw.cursor() for _query in queries]
    with raw.pipeline():
        for cursor, (sql, params) in zip(cursors, queries, strict=True):
            if params is None:
                cursor.execute(sql, prepare=False)
            else:
                cursor.execute(sql, params)
    return [
        None if params is None else cursor.fetchone()
        for cursor, (_sql, params) in zip(cursors, queries, strict=True)
    ]


def _event(alias: str, rules: tuple) -> Event:
    names = [field.attname for field in Event._meta.concrete_fields]
    return Event.from_db(alias, names, list(rules[EVENT:]))


def _allowed_mode(event: Event, rules: tuple, submitted: dict[str, Any]) -> str:
    """The registration's mode, if the event's rules let the fast path register it."""
    if rules[NOTICE] is None or rules[REQUIRED_QUESTION]:
        raise _ForTheView
    try:
        check_registration_open(event=event)
        mode = check_mode(event=event, mode=submitted["mode"])
    except ApplicationError as error:
        raise _ForTheView from error
    if event.audience == Audience.MEMBERS:
        if not membership_eligibility(
            organisation_type=submitted["organisation_type"],
            country=submitted["organisation_country"],
        ).eligible:
            raise _ForTheView
    elif event.audience != Audience.OPEN:
        raise _ForTheView
    return mode


def _person_params(submitted: dict[str, Any]) -> dict[str, Any]:
    """What ``person`` writes: the values ``members.services`` saves for a new person."""
    return {
        "now": timezone.now(),
        "organisation": " ".join(submitted["organisation_name"].split()),
        "organisation_type": submitted["organisation_type"],
        "country": submitted["organisation_country"],
        "first_name": submitted["first_name"],
        "last_name": submitted["last_name"],
        "email": submitted["email"].lower(),
        "job_title": submitted["job_title"],
        "calendar_token": new_calendar_token(),
    }


def _write_params(
    event: Event, rules: tuple, submitted: dict[str, Any], mode: str
) -> dict[str, Any]:
    """What ``write`` writes beside the person: the values ``services.register`` saves."""
    in_person = mode == AttendanceMode.IN_PERSON
    language = submitted["language"]
    return {
        # Later if need be (``sql``: ``write``), so that times follow the order of the lock.
        "registered": timezone.now(),
        "event": event.pk,
        "notice": rules[NOTICE],
        "approval": rules[APPROVAL],
        "mode": mode,
        "token": new_token(),
        "language": language,
        "accessibility_needs": submitted["accessibility_needs"] if in_person else "",
        "dietary_needs": submitted["dietary_needs"] if in_person else "",
        "photo_consent": submitted["photo_consent"],
        "participant_list_consent": submitted["participant_list_consent"],
        **{
            f"subject_{status.value}": subject_line(
                kind, event_title=event.title, language=language
            )
            for status, kind in EMAIL_KINDS.items()
        },
    }


def _registration(alias: str, event: Event, row: tuple, params: dict[str, Any]) -> Registration:
    """The registration written, as the view's service holds it when it sends the signal."""
    person = Person(
        pk=params["person"],
        first_name=params["first_name"],
        last_name=params["last_name"],
        email=params["email"],
        job_title=params["job_title"],
        country=params["country"],
        created_at=params["now"],
        organisation_id=params["organisation_id"],
        calendar_token=params["calendar_token"],
    )
    at = row[REGISTERED_AT]
    registration = Registration(
        pk=row[REGISTRATION],
        event=event,
        person=person,
        status=row[STATUS],
        mode=params["mode"],
        token=params["token"],
        language=params["language"],
        accessibility_needs=params["accessibility_needs"],
        dietary_needs=params["dietary_needs"],
        privacy_notice_id=params["notice"],
        privacy_accepted_at=at,
        photo_consent=params["photo_consent"],
        participant_list_consent=params["participant_list_consent"],
        waitlisted_at=at if row[STATUS] == RegistrationStatus.WAITLISTED else None,
        created_at=at,
        updated_at=at,
    )
    for made in (person, registration):
        made._state.adding = False
        made._state.db = alias
    return registration


def _receivers_may_act(event_id: int) -> bool:
    """Whether a receiver of ``registration_changed`` may act on a registration at this event:
    unless each one connected said it would not (``signals.registration_changed_quiet``)."""
    for lookup_key, *_receiver in registration_changed.receivers:
        quiet = registration_changed_quiet.get(lookup_key[0])
        try:
            if quiet is None or not quiet(event_id, "registered"):
                return True
        except Exception:
            return True  # the receiver will tell, as it does for the view
    return False


def _created(status: str, position: int | None, params: dict[str, Any]) -> dict[str, Any]:
    """The view's answer (``RegistrationCreatedSerializer``), key for key."""
    before, after = _manage_url_around(settings.SITE_URL, get_script_prefix())
    return {
        "status": status,
        "status_label": str(RegistrationStatus(status).label),
        "mode": params["mode"],
        "waitlist_position": position,
        "token": params["token"],
        "manage_url": before + params["token"] + after,
    }


@functools.cache
def _manage_url_around(site_url: str, script_prefix: str) -> tuple[str, str]:
    """The personal page's address (``emails.manage_url``) before and after the token, which is
    URL-safe as it is."""
    placeholder = "0" * 43
    before, after = manage_url(Registration(token=placeholder)).rsplit(placeholder, 1)
    return before, after

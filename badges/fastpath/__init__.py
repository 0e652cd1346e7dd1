"""The scanner's everyday request, answered in one SQL statement before the rest of the stack.

A door scans badge after badge: ``POST /api/v1/checkin/`` with ``Authorization: Device
<token>`` and a JSON body of the event's slug, the code and an idempotency key. Through the
site's middleware, DRF and the check-in service that took about seven statements and 4 ms of
CPU (docs/benchmarks.md, "Check-in"). ``CheckInFastPathMiddleware`` takes over exactly that
request on PostgreSQL and answers it with one statement (a data-modifying ``WITH``) that finds
the device by its token's hash, the event among the device's events, the badge by its code
with its registration locked (``FOR UPDATE``) and its person, notes when the device was last
seen (at most once a minute), inserts the check-in unless there is one (``ON CONFLICT DO
NOTHING``: the constraints decide), finds the earlier check-in otherwise, and writes the scan
log entry with the answer, which the statement itself builds.

The API view (``badges.api.views.CheckInView`` and ``services.perform_checkin``) stays the
reference: the answer, the rows written and the headers are the view's, and
``tests/badges/test_fastpath.py`` holds the two together. Anything else goes on to the view
untouched, and so does a request the statement cannot settle alone: another database, another
way of signing in, any other body (a session, an offline time, a registration instead of a
code), a code that is not a valid badge code of the event named (malformed, altered, of
another event: answered there, with their own messages), a device unknown or revoked (401) or
not given the event (404), a badge whose registration was cancelled since it was issued (the
view revokes it), a scan sent again with its idempotency key at the same moment as the first,
an earlier check-in undone while the statement waited for the registration's lock, and any
error. The statement writes nothing in those cases (at most the device's last-seen time, which
the view would write too).

A scan sent again with its idempotency key gets the stored answer from the same statement.
Receivers of ``signals.checkin_recorded`` get the same ``CheckIn`` as from the view, inside the
statement's transaction (after the scan log entry is written rather than before it). When every
receiver has said it would do nothing for the event (``signals.checkin_recorded_quiet``:
webhooks, when no webhook wants its check-ins), the signal is not sent and the statement runs
alone, in autocommit.

Placed in ``MIDDLEWARE`` right after ``SecurityMiddleware``, so that the HTTPS redirect and
the security headers apply as to every request; the middleware after it would do nothing for
this request (static files, cached pages, sessions, CSRF for a view exempt from it, messages)
except what is reproduced here: the language taken from the request as ``LocaleMiddleware``
takes it (cookie, ``Accept-Language``) with its ``Vary`` and ``Content-Language`` headers,
the host checked against ``ALLOWED_HOSTS`` (``CommonMiddleware``), ``X-Frame-Options``, and
``Content-Length``. ``CHECKIN_FAST_PATH = False`` in the settings sends every scan to the
view, and so does a database connection that does not keep the statement prepared (see
``eventsite.fastpath.keeps_plans``).
"""

import functools
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation

from eventsite.fastpath import json_body, json_response, keeps_plans
from registrations.enums import AttendanceMode, RegistrationStatus

from ..api.serializers import plain_scan
from ..codes import MalformedCode, TamperedCode, parse_code
from ..enums import BadgeRole, ScanResult
from ..models import CheckIn, Device, code_hash
from ..services import ENDING_STATUSES, MESSAGES, not_confirmed_message
from ..signals import checkin_recorded, checkin_recorded_quiet
from .sql import (
    BADGE,
    BODY,
    CHECKIN,
    DEVICE,
    EVENT_OK,
    REGISTRATION,
    RESULT,
    STORED,
    TOUCHED,
    statement,
)

logger = logging.getLogger(__name__)

# "Device <token>" as DRF's authentication reads it in its usual form; any other form (another
# scheme, spaces, characters outside printable ASCII) goes to the view.
DEVICE_HEADER = re.compile(r"[Dd][Ee][Vv][Ii][Cc][Ee] ([!-~]+)")
# Event slug, code and key at their longest (100, 1,000, 100 characters), as JSON, with room to
# spare: a longer body is not the everyday scan.
MAX_BODY = 4096
# What Python's str.strip() removes, which the door's answer applies to names and needs.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# DRF's answer for the view: JSON only (its JSONOnly negotiation), the view's allowed methods.
ALLOW = "POST, OPTIONS"


class CheckInFastPathMiddleware:
    """Answers ``POST /api/v1/checkin/`` when ``answer`` can; any other request goes on."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info == self._path():
            response = answer(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _path(self) -> str:
        if self.path is None:
            self.path = "/" + reverse("api-checkin").removeprefix(get_script_prefix())
        return self.path


# --- the request -------------------------------------------------------------------------------


def answer(request: HttpRequest) -> HttpResponse | None:
    """The answer to an everyday scan, or None for the view to answer."""
    if not getattr(settings, "CHECKIN_FAST_PATH", True):
        return None
    alias = router.db_for_write(CheckIn)
    connection = connections[alias]
    if not keeps_plans(connection):
        return None
    if statement(alias) is None:
        return None
    scan = _everyday_scan(request)
    if scan is None:
        return None
    token, data = scan
    code = data["code"].strip().upper()
    try:
        event_id = parse_code(code).event_id
    except (MalformedCode, TamperedCode):
        return None
    language = translation.get_language_from_request(request)
    with translation.override(language):
        params = {
            "token": Device.hash_token(token),
            "slug": data["event"],
            "key": data.get("idempotency_key", ""),
            "code": code,
            "code_hash": code_hash(code)[:16],
            "event": event_id,
            "now": timezone.now(),
            "confirmed": RegistrationStatus.CONFIRMED.value,
            "texts": _texts(translation.get_language()),
            "space": WHITESPACE,
            **{f"ending_{n}": status for n, status in enumerate(ENDING_STATUSES)},
        }
        params["now_iso"] = params["now"].isoformat()
        found = _run(alias, params)
        if found is None:
            return None
        body, replayed = found
        return _response(body, replayed=replayed)


def _everyday_scan(request: HttpRequest) -> tuple[str, dict[str, str]] | None:
    """The device's token and the scan, if the request is the scanner's everyday one."""
    header = DEVICE_HEADER.fullmatch(request.META.get("HTTP_AUTHORIZATION", ""))
    if header is None:
        return None
    data = json_body(request, max_body=MAX_BODY)
    scan = None if data is None else plain_scan(data)
    return None if scan is None else (header.group(1), scan)


@functools.lru_cache(maxsize=16)
def _texts(language: str) -> str:
    """What the answer says, in the active language (``language`` keys the cache), as JSON."""
    return json.dumps(
        {
            "messages": {result: str(MESSAGES[result]()) for result in MESSAGES},
            "not_confirmed": {
                value: not_confirmed_message(str(label))
                for value, label in RegistrationStatus.choices
            },
            "roles": {value: str(label) for value, label in BadgeRole.choices},
            "modes": {value: str(label) for value, label in AttendanceMode.choices},
        }
    )


# The view's order of the keys of an answer (services._answer, _attendee, _checkin_info):
# PostgreSQL's jsonb keeps its own.
ORDER = {
    key: n
    for n, key in enumerate(
        (
            *("result", "message", "session", "attendee", "checkin", "conflict"),
            *("status", "revoke_reason", "registration", "name", "organisation", "role"),
            *("role_label", "mode", "mode_label", "needs_assistance", "accessibility_needs"),
            *("id", "at", "by", "device", "offline"),
        )
    )
}


def _in_order(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _in_order(data[key]) if type(data[key]) is dict else data[key]
        for key in sorted(data, key=_position)
    }


def _position(key: str) -> int:
    return ORDER.get(key, len(ORDER))


def _response(data: dict[str, Any], *, replayed: bool) -> HttpResponse:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return json_response(data, allow=ALLOW, headers=headers)


# --- running it --------------------------------------------------------------------------------


def _run(alias: str, params: dict[str, Any]) -> tuple[dict[str, Any], bool] | None:
    """Runs the statement; the answer and whether it is the one stored before, or None."""
    connection = connections[alias]
    sql = statement(alias)
    tell = _receivers_may_act(params["event"])
    if not tell and not connection.in_atomic_block:
        # One statement is its own transaction: if it fails, nothing was written.
        try:
            row = _execute(connection, sql, params)
        except DatabaseError:
            return None
        return _outcome(row)
    try:
        with transaction.atomic(using=alias):
            row = _execute(connection, sql, params)
            outcome = _outcome(row)
            if tell and outcome is not None and row[RESULT] == ScanResult.CHECKED_IN:
                checkin_recorded.send(sender=CheckIn, checkin=_checkin(connection, row, params))
            return outcome
    except DatabaseError:
        # The same scan sent twice at the same moment (the scan log's key refused the second),
        # a lost connection, a lock not obtained: the view does it again and answers.
        return None
    except Exception:
        # A receiver failed, and the scan was rolled back with it: the view does it again.
        logger.exception("A check-in's receivers failed in the fast path; the API view answers")
        return None


def _receivers_may_act(event_id: int) -> bool:
    """Whether a receiver of ``checkin_recorded`` may act on a check-in at this event: unless
    each one connected said it would not (``signals.checkin_recorded_quiet``)."""
    for lookup_key, *_receiver in checkin_recorded.receivers:
        quiet = checkin_recorded_quiet.get(lookup_key[0])
        try:
            if quiet is None or not quiet(event_id):
                return True
        except Exception:
            return True  # the receiver will tell, as it does for the view
    return False


def _execute(connection, sql: str, params: dict[str, Any]) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _outcome(row: tuple) -> tuple[dict[str, Any], bool] | None:
    """From the statement's row: the answer, or None when the view must answer."""
    if row[DEVICE] is None or not row[EVENT_OK]:
        return None  # unknown or revoked device (401), event not the device's or the code's
    if row[STORED] is not None:
        return json.loads(row[STORED]), True
    if row[RESULT] is None:
        return None
    return _in_order(json.loads(row[BODY])), False


def _checkin(connection, row: tuple, params: dict[str, Any]) -> CheckIn:
    """The check-in made, as the view hands it to ``checkin_recorded``'s receivers."""
    fields = Device._meta.concrete_fields
    device = Device.from_db(connection.alias, [f.attname for f in fields], list(row[DEVICE:]))
    if row[TOUCHED]:
        device.last_seen_at = params["now"]
    checkin = CheckIn(
        pk=row[CHECKIN],
        registration_id=row[REGISTRATION],
        event_id=params["event"],
        session_id=None,
        badge_id=row[BADGE],
        at=params["now"],
        recorded_at=params["now"],
        device=device,
        user=None,
        offline=False,
    )
    checkin._state.adding = False
    checkin._state.db = connection.alias
    return checkin

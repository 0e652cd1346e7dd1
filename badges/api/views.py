"""The check-in API: scanners check people in, search, fetch their offline list and counts.

Who may call it: a device with ``Authorization: Device <token>`` (only at the events it was
given: any other event answers 404 and nothing is written), or a staff user allowed to add
check-ins, signed in to the admin (session, with the CSRF token on POST) or with
``Authorization: Token <key>`` (an organiser's API token: only at the token's events, as a
device). Views parse, call a service or selector, and present.

Every scan answers 200 with one of the results of ``ScanResult``; a refusal is an answer, not an
error. Errors (bad request, unknown event, not allowed) take the API's one shape.
"""

import hashlib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.api.auth import OrganiserTokenAuthentication
from agenda.api.scope import in_scope, scoping_token
from agenda.models import Event, Session
from eventsite.api import error_responses

from .. import selectors, services
from ..models import CheckIn, Device
from .auth import DeviceTokenAuthentication
from .serializers import (
    BatchAnswerSerializer,
    BatchSerializer,
    CheckInListSerializer,
    ScanAnswerSerializer,
    ScanSerializer,
    SearchSerializer,
    StatsSerializer,
    UndoneSerializer,
    plain_scan,
)

# --- who may call --------------------------------------------------------------------------------


class CanScan(permissions.BasePermission):
    """A device, or a staff user who may add check-ins."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, Device):
            return True
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_staff and user.has_perm("badges.add_checkin")
        )


class CanUndo(permissions.BasePermission):
    """Organisers only: a staff user who may change check-ins. Devices cannot undo."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            not isinstance(request.auth, Device)
            and user
            and user.is_authenticated
            and user.is_staff
            and user.has_perm("badges.change_checkin")
        )


class ScannerView(APIView):
    # The device scheme first, so that an unauthenticated request is answered 401 with
    # "WWW-Authenticate: Device" rather than 403.
    authentication_classes = [
        DeviceTokenAuthentication,
        SessionAuthentication,
        OrganiserTokenAuthentication,
    ]
    permission_classes = [CanScan]

    def scanner(self) -> services.Scanner:
        if isinstance(self.request.auth, Device):
            return services.Scanner(device=self.request.auth)
        return services.Scanner(user=self.request.user)

    def event(self, slug: str) -> Event:
        """The event, if this scanner may work at it; 404 otherwise, revealing nothing."""
        device = self.request.auth if isinstance(self.request.auth, Device) else None
        event = selectors.scanner_event(
            slug=slug, device=device, api_token=scoping_token(self.request)
        )
        if event is None:
            raise NotFound(_("No such event for this scanner."))
        return event

    def session(
        self, event: Event, session_id: int | None, field: str = "session"
    ) -> Session | None:
        if session_id is None:
            return None
        session = selectors.event_session(event=event, session_id=session_id)
        if session is None:
            raise ValidationError({field: [_("This session is not part of the event.")]})
        return session

    def session_from_query(self, event: Event) -> Session | None:
        raw = self.request.query_params.get("session")
        if not raw:
            return None
        # isdigit() alone admits "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationError({"session": [_("A session id is a number.")]})
        return self.session(event, int(raw))


EVENT_PARAMETER = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, description=_("The event's slug.")
)
SESSION_PARAMETER = OpenApiParameter(
    "session", int, description=_("A session of the event, for check-in into that session.")
)


# --- scanning ------------------------------------------------------------------------------------


def _scan(view: ScannerView, data: dict, event: Event, session: Session | None):
    return services.perform_checkin(
        event=event,
        scanner=view.scanner(),
        code=data.get("code"),
        registration_id=data.get("registration"),
        session=session,
        idempotency_key=data.get("idempotency_key") or "",
        scanned_at=data.get("scanned_at"),
    )


class JSONOnly(DefaultContentNegotiation):
    """Answers JSON, whatever the request accepts: a scanner asks for nothing else, and
    negotiating between renderers (the browsable API's too) on every scan was work for nothing.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CheckInView(ScannerView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="checkin_create",
        summary=_("Check a person in"),
        description=_(
            "Scans a badge's code (or checks in a person found by search) at the door or at a "
            "session. Answers 200 with the result and what the door needs to know about the "
            "person. Sending the same `idempotency_key` again returns the first answer."
        ),
        request=ScanSerializer,
        responses={200: ScanAnswerSerializer, **error_responses(400, 401, 403, 404)},
        tags=["check-in"],
    )
    def post(self, request) -> Response:
        data = plain_scan(request.data)
        if data is None:
            serializer = ScanSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        event = self.event(data["event"])
        session = self.session(event, data.get("session"))
        outcome = _scan(self, data, event, session)
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return Response(outcome.response, headers=headers)


class CheckInBatchView(ScannerView):
    @extend_schema(
        operation_id="checkin_batch",
        summary=_("Send scans queued offline"),
        description=_(
            "Scans made while the device was offline, each with its idempotency key and time. "
            "Answers their results in the same order; a batch sent again changes nothing. A "
            "badge someone else checked in meanwhile answers already_checked_in with "
            "`conflict: true`, and organisers see the conflict in the scan log. If any scan names "
            "an event this scanner may not work at, the whole batch answers 404 and nothing is "
            "written."
        ),
        request=BatchSerializer,
        responses={200: BatchAnswerSerializer, **error_responses(400, 401, 403, 404)},
        tags=["check-in"],
    )
    def post(self, request) -> Response:
        serializer = BatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scans = serializer.validated_data["scans"]
        events = {slug: self.event(slug) for slug in {scan["event"] for scan in scans}}
        sessions = [
            self.session(events[scan["event"]], scan.get("session"), field=f"scans.{n}.session")
            for n, scan in enumerate(scans)
        ]
        results = [
            _scan(self, scan, events[scan["event"]], session).response
            for scan, session in zip(scans, sessions, strict=True)
        ]
        return Response({"results": results})


class CheckInUndoView(ScannerView):
    permission_classes = [CanUndo]

    @extend_schema(
        operation_id="checkin_undo",
        summary=_("Undo a check-in"),
        description=_(
            "Organisers only. The check-in is kept, marked undone; the person can be checked in "
            "again."
        ),
        request=None,
        responses={200: UndoneSerializer, **error_responses(401, 403, 404, 409)},
        tags=["check-in"],
    )
    def post(self, request, pk: int) -> Response:
        checkin = get_object_or_404(in_scope(request, CheckIn.objects.all()), pk=pk)
        checkin = services.undo_checkin(checkin=checkin, actor=request.user)
        return Response({"id": checkin.pk, "undone_at": checkin.undone_at})


# --- what a scanner reads ------------------------------------------------------------------------


class CheckInListView(ScannerView):
    @extend_schema(
        operation_id="checkin_list",
        summary=_("The event's badges, for scanning offline"),
        description=_(
            "Every badge of the event by the SHA-256 of its code (hex, of the code in upper "
            "case): a scanner hashes the code it reads and looks it up. Confirmed attendees "
            "come with what the door needs; other badges only with their status. Send the "
            "`ETag` back in `If-None-Match` to get 304 when nothing changed."
        ),
        parameters=[EVENT_PARAMETER, SESSION_PARAMETER],
        responses={200: CheckInListSerializer, 304: None, **error_responses(401, 403, 404)},
        tags=["check-in"],
    )
    def get(self, request, slug: str) -> HttpResponse:
        """The list, or 304 when the scanner's copy is current.

        On PostgreSQL the ETag comes from the list's version (``selectors.checkin_list_version``,
        one aggregate query), read first: a scanner holding the current list gets its 304
        without a badge being issued or an entry built. Nothing can be missing then either:
        the version was read before the badges were issued for the list the scanner holds, and
        anything that makes a badge missing since (a registration confirmed or re-confirmed,
        a badge revoked) changes it. Elsewhere the ETag is a digest of the entries.
        """
        event = self.event(slug)
        session = self.session_from_query(event)
        shows_needs = self.scanner().shows_accessibility_needs()
        sent = _etags(request.headers.get("If-None-Match", ""))
        version = selectors.checkin_list_version(
            event=event, session=session, shows_needs=shows_needs
        )
        if version is not None:
            etag = _etag(version)
            if etag in sent:
                return _not_modified(etag)
        services.issue_missing_badges(event=event)
        entries = selectors.checkin_list_json(event=event, session=session, shows_needs=shows_needs)
        if version is None:
            etag = _etag(
                selectors.checkin_list_digest(
                    entries_json=entries, session=session, shows_needs=shows_needs
                )
            )
            if etag in sent:
                return _not_modified(etag)
        # The entries come as JSON already (see the selector); the rest is rendered as any
        # answer of the API, and the two joined.
        head = JSONRenderer().render(
            {
                "event": event.slug,
                "session": session.pk if session else None,
                "generated_at": timezone.now(),
            }
        )
        body = b"".join((head[:-1], b',"entries":', entries.encode(), b"}"))
        return HttpResponse(body, content_type=JSONRenderer.media_type, headers=_list_headers(etag))


def _etag(version: str) -> str:
    return f'"{hashlib.sha256(version.encode()).hexdigest()[:32]}"'


def _list_headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": "private, no-cache"}


def _not_modified(etag: str) -> Response:
    return Response(status=304, headers=_list_headers(etag))


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


class CheckInSearchView(ScannerView):
    @extend_schema(
        operation_id="checkin_search",
        summary=_("Find an attendee by name or email"),
        description=_(
            "For a person without their badge: registrations of the event whose name or email "
            "contains every word of `q` (at least 2 characters), at most 20, sorted by name. "
            "Email addresses are searched, never shown."
        ),
        parameters=[
            EVENT_PARAMETER,
            OpenApiParameter("q", str, required=True, description=_("Name or email.")),
            SESSION_PARAMETER,
        ],
        responses={200: SearchSerializer, **error_responses(400, 401, 403, 404)},
        tags=["check-in"],
    )
    def get(self, request, slug: str) -> Response:
        event = self.event(slug)
        session = self.session_from_query(event)
        query = request.query_params.get("q", "")[:100]
        if len(query.strip()) < selectors.SEARCH_MIN_LENGTH:
            raise ValidationError({"q": [_("Type at least two characters.")]})
        if "\x00" in query:  # PostgreSQL refuses it in a query
            raise ValidationError({"q": [_("Null characters are not allowed.")]})
        results = selectors.search_attendees(
            event=event,
            query=query,
            session=session,
            shows_needs=self.scanner().shows_accessibility_needs(),
        )
        return Response({"results": results})


class CheckInStatsView(ScannerView):
    @extend_schema(
        operation_id="checkin_stats",
        summary=_("Checked in of expected"),
        description=_(
            "Live counts for the scanner page: confirmed in-person attendees expected (at a "
            "session that needs sign-up, those holding a seat), checked in, and offline "
            "conflicts for organisers to look at."
        ),
        parameters=[EVENT_PARAMETER, SESSION_PARAMETER],
        responses={200: StatsSerializer, **error_responses(400, 401, 403, 404)},
        tags=["check-in"],
    )
    def get(self, request, slug: str) -> Response:
        event = self.event(slug)
        session = self.session_from_query(event)
        return Response(selectors.checkin_stats(event=event, session=session))

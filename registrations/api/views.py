"""The registration API: the public registers, attendees manage their own, organisers decide.

Views parse, call a service or selector, and present; every rule lives in ``services``. Errors
take the API's one shape (``eventsite.api``).

Authentication: the public and attendee endpoints need none (the attendee's token in the URL is
the key). Organiser endpoints take a session (the admin's login) or ``Authorization: Token
<key>``, an organiser's API token, which reaches only its events (``agenda.api.scope``: other
events' registrations are missing from lists and answer 404). A session-authenticated POST,
PATCH or DELETE must carry the CSRF token (the ``X-CSRFToken`` header with the ``csrftoken``
cookie's value), or it is refused with 403; token clients need no CSRF token.
"""

import re

from django.db import transaction
from django.db.models import Prefetch, Subquery
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, UserRateThrottle

from agenda.api.auth import OrganiserTokenAuthentication
from agenda.api.scope import in_scope
from agenda.models import Event
from eventsite.api import error_responses
from members.enums import OrganisationType
from members.models import Person

from .. import ratelimit, services
from ..enums import AttendanceMode, RegistrationStatus
from ..models import AuditEntry, Registration, SessionPick
from ..selectors import (
    events_for_registration,
    organiser_registrations,
    registration_by_token,
)
from .serializers import (
    AlreadyRegisteredSerializer,
    OrganiserRegistrationDetailSerializer,
    OrganiserRegistrationSerializer,
    OwnRegistrationChangeSerializer,
    OwnRegistrationSerializer,
    ReasonSerializer,
    RegistrationCreatedSerializer,
    RegistrationCreateSerializer,
)

# --- throttles and permissions -------------------------------------------------------------------


class _RatesReadAtRequest:
    """DRF copies the rates when it is imported; reading them per request lets settings change."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class RegistrationCreateThrottle(BaseThrottle):
    """Anonymous registrations, counted per client address by ``ratelimit.api_registration_hit``.

    That counter is shared with the registration middleware and counts a request once, whichever
    path sees it first. Signed-in users are left to ``SignedInThrottle``.
    """

    scope = "registration_create"
    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        self.retry_after = ratelimit.api_registration_hit(request._request)
        return self.retry_after is None

    def wait(self) -> int | None:
        return self.retry_after


class OwnRegistrationThrottle(_RatesReadAtRequest, AnonRateThrottle):
    scope = "registration_token"


class SignedInThrottle(_RatesReadAtRequest, UserRateThrottle):
    """Signed-in users (organisers), counted per user; anonymous clients are left to the
    endpoint's own per-address throttle."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class IsOrganiser(permissions.BasePermission):
    """Staff who may change registrations (the admin's "Can change registration")."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_staff
            and user.has_perm("registrations.change_registration")
        )


# --- error field names ---------------------------------------------------------------------------

QUESTION_FIELD = re.compile(r"^question_(\d+)$")


class ServiceFieldNames:
    """Names the services' error fields as this API's request body does."""

    def api_field_name(self, field: str) -> str:
        if field == "sessions":
            return "session_ids"
        match = QUESTION_FIELD.match(field)
        return f"answers.{match.group(1)}" if match else field


TOKEN_PARAMETER = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description=_("The attendee's personal key, from their emails."),
)


# --- the public ----------------------------------------------------------------------------------


class EventRegistrationCreateView(ServiceFieldNames, GenericAPIView):
    serializer_class = RegistrationCreateSerializer
    permission_classes = [permissions.AllowAny]
    throttle_classes = [RegistrationCreateThrottle, SignedInThrottle]

    @extend_schema(
        operation_id="event_registration_create",
        summary=_("Register for an event"),
        description=_(
            "The same rules as the registration form. A new registration of a new address "
            "answers 201 with its state and the attendee's personal token. An address already "
            "registered for the event answers 200 with a neutral message, and the registration "
            "email is sent to it again. A new registration of an address the site already knows "
            "(registered for another event, or cancelled here before) answers 202 with a "
            "neutral message: whoever sends the request may not own the address, so the "
            "personal link goes only to the address, by email. Anonymous clients are "
            "rate-limited per IP address."
        ),
        parameters=[
            OpenApiParameter(
                "event_slug", str, OpenApiParameter.PATH, description=_("The event's slug.")
            )
        ],
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationCreatedSerializer,
            200: OpenApiResponse(
                AlreadyRegisteredSerializer,
                description=_("This address is registered already; its email was sent again."),
            ),
            202: OpenApiResponse(
                AlreadyRegisteredSerializer,
                description=_(
                    "Registered, for an address the site already knows: the personal link was "
                    "sent to it by email."
                ),
            ),
            **error_responses(400, 403, 404, 409, 429, 503),
        },
        tags=["registrations"],
    )
    def post(self, request, event_slug: str) -> Response:
        event = get_object_or_404(events_for_registration(), slug=event_slug)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language = getattr(request, "LANGUAGE_CODE", "") or "en"
        registration_request = serializer.to_request(default_language=language)
        # Read before registering: a new registration of a person already known is theirs too,
        # and its token would open what is recorded about them (their calendar address, their
        # badge), or their own earlier registration when it re-opens a cancelled one.
        email = registration_request.email.strip().lower()
        known_person = Person.objects.filter(email=email).exists()
        result = services.register(event=event, request=registration_request, actor=request.user)
        if result.created and known_person:
            body = {
                "detail": _(
                    "Thank you. We have sent the registration email, with the personal link, "
                    "to this address."
                )
            }
            return Response(AlreadyRegisteredSerializer(body).data, status=status.HTTP_202_ACCEPTED)
        if not result.created:
            body = {
                "detail": _(
                    "This address is already registered for this event. We have sent the "
                    "registration email to it again; it holds the personal link."
                )
            }
            return Response(AlreadyRegisteredSerializer(body).data, status=status.HTTP_200_OK)
        body = RegistrationCreatedSerializer(
            result.registration, context={"waitlist_position": result.waitlist_position}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- the attendee --------------------------------------------------------------------------------


class OwnRegistrationView(ServiceFieldNames, GenericAPIView):
    """The attendee's own registration, opened by their personal token."""

    serializer_class = OwnRegistrationSerializer
    permission_classes = [permissions.AllowAny]
    throttle_classes = [OwnRegistrationThrottle, SignedInThrottle]

    def get_object(self) -> Registration:
        registration = registration_by_token(token=self.kwargs["token"])
        if registration is None:
            raise NotFound(_("No registration has this link. It may have been renewed."))
        return registration

    def present(self, registration: Registration) -> Response:
        return Response(OwnRegistrationSerializer(registration).data)

    @extend_schema(
        operation_id="own_registration_retrieve",
        summary=_("Read one's own registration"),
        parameters=[TOKEN_PARAMETER],
        responses={200: OwnRegistrationSerializer, **error_responses(404, 429)},
        tags=["registrations"],
    )
    def get(self, request, token: str) -> Response:
        return self.present(self.get_object())

    @extend_schema(
        operation_id="own_registration_update",
        summary=_("Change attendance mode or session picks"),
        description=_(
            "Both changes are made together or not at all. The new mode's rules apply as to a "
            "newcomer: a seat if one is free, else its waitlist."
        ),
        parameters=[TOKEN_PARAMETER],
        request=OwnRegistrationChangeSerializer,
        responses={
            200: OwnRegistrationSerializer,
            **error_responses(400, 404, 409, 429, 503),
        },
        tags=["registrations"],
    )
    def patch(self, request, token: str) -> Response:
        registration = self.get_object()
        serializer = OwnRegistrationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            if "mode" in data:
                registration = services.change_mode(
                    registration=registration, mode=data["mode"], actor=request.user
                )
            if "session_ids" in data:
                registration = services.change_session_picks(
                    registration=registration, session_ids=data["session_ids"], actor=request.user
                )
        return self.present(self.get_object())

    @extend_schema(
        operation_id="own_registration_cancel",
        summary=_("Cancel one's own registration"),
        description=_("The seat goes to the first on the waitlist. Answers the cancelled state."),
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: OwnRegistrationSerializer, **error_responses(404, 409, 429, 503)},
        tags=["registrations"],
    )
    def delete(self, request, token: str) -> Response:
        registration = services.cancel(registration=self.get_object(), actor=request.user)
        return self.present(registration)


# --- organisers ----------------------------------------------------------------------------------


class OrganiserRegistrationFilter(filters.FilterSet):
    event = filters.CharFilter(method="filter_event", help_text=_("The event's slug."))
    status = filters.ChoiceFilter(choices=RegistrationStatus.choices)
    mode = filters.ChoiceFilter(choices=AttendanceMode.choices)
    organisation_type = filters.ChoiceFilter(
        field_name="person__organisation__type", choices=OrganisationType.choices
    )
    country = filters.CharFilter(
        method="filter_country",
        help_text=_("ISO 3166-1 alpha-2 code of the organisation's country."),
    )

    class Meta:
        model = Registration
        fields = ["event", "status", "mode", "organisation_type", "country"]

    def filter_event(self, queryset, name, value):
        # The event's id, found by a subquery, rather than a join to the events: the database
        # then reads the page of the event's registrations in the order of an index
        # (``registration_event_newest``) instead of joining and sorting all of them.
        return queryset.filter(event=Subquery(Event.objects.filter(slug=value).values("pk")[:1]))

    def filter_country(self, queryset, name, value):
        return queryset.filter(person__organisation__country=value.strip().upper())


STATE_CHANGES = {
    "approve": services.approve,
    "decline": services.decline,
    "cancel": services.cancel,
    "promote": services.promote,
    "reopen": services.reopen,
}


def state_change_schema(summary):
    return extend_schema(
        summary=summary,
        request=ReasonSerializer,
        responses={
            200: OrganiserRegistrationDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 429, 503),
        },
        tags=["organisers"],
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List registrations"),
        responses={
            200: OrganiserRegistrationSerializer(many=True),
            **error_responses(401, 403, 429),
        },
        tags=["organisers"],
    ),
    retrieve=extend_schema(
        summary=_("Read a registration"),
        responses={
            200: OrganiserRegistrationDetailSerializer,
            **error_responses(401, 403, 404, 429),
        },
        tags=["organisers"],
    ),
)
class OrganiserRegistrationViewSet(ServiceFieldNames, viewsets.ReadOnlyModelViewSet):
    """Registrations for organisers: staff with the permission to change registrations.

    Session-authenticated POSTs need the CSRF token; token clients do not.
    """

    # Token first, so that a request without credentials is told 401 and how to authenticate.
    authentication_classes = [OrganiserTokenAuthentication, SessionAuthentication]
    permission_classes = [IsOrganiser]
    throttle_classes = [SignedInThrottle]
    filterset_class = OrganiserRegistrationFilter

    def get_serializer_class(self):
        if self.action == "list":
            return OrganiserRegistrationSerializer
        return OrganiserRegistrationDetailSerializer

    def get_queryset(self):
        queryset = in_scope(self.request, organiser_registrations())
        if self.action == "list":
            # What OrganiserRegistrationSerializer shows, and no more: the event's and the
            # people's other columns (a dozen dates among them) cost more to read than the page.
            return queryset.only(
                "status", "mode", "waitlisted_at", "created_at", "updated_at", "event__slug",
                "person__first_name", "person__last_name", "person__email",
                "person__organisation__name", "person__organisation__type",
                "person__organisation__country",
            )  # fmt: skip
        return queryset.select_related("invitation").prefetch_related(
            Prefetch(
                "session_picks",
                queryset=SessionPick.objects.select_related("session").order_by("session__start"),
            ),
            "answers__question",
            Prefetch("audit_entries", queryset=AuditEntry.objects.order_by("at", "pk")),
        )

    def change_state(self, request, name: str) -> Response:
        registration = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        STATE_CHANGES[name](
            registration=registration,
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(self.get_serializer(self.get_object()).data)

    @state_change_schema(_("Approve a pending registration"))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None) -> Response:
        return self.change_state(request, "approve")

    @state_change_schema(_("Decline a registration"))
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None) -> Response:
        return self.change_state(request, "decline")

    @state_change_schema(_("Cancel a registration"))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        return self.change_state(request, "cancel")

    @state_change_schema(_("Promote a waitlisted registration, even beyond capacity"))
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None) -> Response:
        return self.change_state(request, "promote")

    @state_change_schema(_("Reopen a declined registration for a new decision"))
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None) -> Response:
        return self.change_state(request, "reopen")

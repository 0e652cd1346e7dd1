"""The badge API: an attendee's own badge, and organisers' view of a registration's badge.

Attendees reach their badge by their personal token, as the badge page (``badges.views``) and the
rest of their own registration's API do, under the same rules and the same rate limit: only
confirmed in-person attendees have a badge of their own; anyone else gets a JSON 403 saying why.

Organisers are staff allowed to view badges (reading, the PDF) and to change them (re-issuing),
signed in to the admin (session, with the CSRF token on POST) or with ``Authorization: Token
<key>``; a token reaches only its events' registrations (others answer 404, nothing written).
Scanner devices have no part here. The JSON never holds a badge's code: the code is only printed.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.api.auth import OrganiserTokenAuthentication
from agenda.api.scope import in_scope
from eventsite.api import error_responses
from registrations.api.views import OwnRegistrationThrottle, SignedInThrottle
from registrations.models import Registration
from registrations.selectors import registration_by_token

from .. import services
from ..models import Badge
from ..views import badge_pdf_response, no_own_badge_reason
from .serializers import OrganiserBadgeSerializer
from .views import JSONOnly

VIEW_PERMISSION = "badges.view_badge"
CHANGE_PERMISSION = "badges.change_badge"

PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description=_("The badge, one A6 page."))


def _private(response: HttpResponse) -> HttpResponse:
    """A badge holds a name and a code: kept out of every cache."""
    response["Cache-Control"] = "private, no-store"
    return response


class PDFView(APIView):
    """Answers a PDF, or an error in the API's JSON shape whatever the request accepts."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly


# --- the attendee --------------------------------------------------------------------------------


class OwnBadgeView(PDFView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [OwnRegistrationThrottle, SignedInThrottle]

    @extend_schema(
        operation_id="own_registration_badge",
        summary=_("Download one's own badge"),
        description=_(
            "The attendee's badge as an A6 PDF, as on the badge page: for confirmed attendees "
            "who come in person. Anyone else is answered 403 with the reason (not confirmed, "
            "or attending online)."
        ),
        parameters=[
            OpenApiParameter(
                "token",
                str,
                OpenApiParameter.PATH,
                description=_("The attendee's personal key, from their emails."),
            )
        ],
        responses={
            (200, "application/pdf"): PDF_RESPONSE,
            **error_responses(403, 404, 429),
        },
        tags=["registrations"],
    )
    def get(self, request, token: str) -> HttpResponse:
        registration = registration_by_token(token=token)
        if registration is None:
            raise NotFound(_("No registration has this link. It may have been renewed."))
        reason = no_own_badge_reason(registration)
        if reason:
            raise PermissionDenied(reason, code="no_badge")
        return _private(badge_pdf_response(registration))


# --- organisers ----------------------------------------------------------------------------------


class CanUseBadges(permissions.BasePermission):
    """Staff who may view badges; re-issuing one (POST) needs "Can change badge" too."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (
            user and user.is_authenticated and user.is_staff and user.has_perm(VIEW_PERMISSION)
        ):
            return False
        return request.method in permissions.SAFE_METHODS or user.has_perm(CHANGE_PERMISSION)


REGISTRATION_PARAMETER = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description=_("The registration's id.")
)


class OrganiserBadgeAPIView(PDFView):
    # Token first, so that a request without credentials is told 401 and how to authenticate.
    authentication_classes = [OrganiserTokenAuthentication, SessionAuthentication]
    permission_classes = [CanUseBadges]
    throttle_classes = [SignedInThrottle]

    def registration(self, pk: int) -> Registration:
        """The registration, if the request may reach its event; 404 otherwise."""
        registrations = in_scope(
            self.request,
            Registration.objects.select_related("event__venue", "person__organisation"),
        )
        return get_object_or_404(registrations, pk=pk)

    def present(self, badge: Badge, registration: Registration) -> Response:
        badge.registration, badge.event = registration, registration.event
        request = self.request

        def pdf_url(badge: Badge) -> str:
            path = reverse("organiser-registration-badge-pdf", kwargs={"pk": badge.registration_id})
            return request.build_absolute_uri(path)

        return Response(OrganiserBadgeSerializer(badge, context={"pdf_url": pdf_url}).data)


class OrganiserBadgeView(OrganiserBadgeAPIView):
    @extend_schema(
        operation_id="organiser_registration_badge",
        summary=_("Read a registration's badge"),
        description=_(
            "The registration's current badge (the last issued): its role, when it was issued "
            "and whether, when and why it was revoked, whether the person declined photos, and "
            "the address of its PDF. Never its code. 404 while no badge has been issued: one is "
            "issued when the badge is first printed or the door's list is fetched."
        ),
        parameters=[REGISTRATION_PARAMETER],
        responses={200: OrganiserBadgeSerializer, **error_responses(401, 403, 404, 429)},
        tags=["organisers"],
    )
    def get(self, request, pk: int) -> Response:
        registration = self.registration(pk)
        badge = registration.badges.order_by("-issued_at", "-pk").first()
        if badge is None:
            raise NotFound(_("No badge has been issued for this registration yet."))
        return self.present(badge, registration)


class OrganiserBadgePDFView(OrganiserBadgeAPIView):
    @extend_schema(
        operation_id="organiser_registration_badge_pdf",
        summary=_("Download a registration's badge"),
        description=_(
            "The badge as an A6 PDF, as the attendee prints it; issued now if the registration "
            "has no valid badge. Only a confirmed registration has a badge (409 otherwise)."
        ),
        parameters=[REGISTRATION_PARAMETER],
        responses={
            (200, "application/pdf"): PDF_RESPONSE,
            **error_responses(401, 403, 404, 409, 429),
        },
        tags=["organisers"],
    )
    def get(self, request, pk: int) -> HttpResponse:
        return _private(badge_pdf_response(self.registration(pk)))


class OrganiserBadgeReissueView(OrganiserBadgeAPIView):
    @extend_schema(
        operation_id="organiser_registration_badge_reissue",
        summary=_("Re-issue a lost badge"),
        description=_(
            "A new code for the registration's badge, as the admin's re-issue: the old code is "
            'refused at the door ("revoked") from now on. Answers the new badge; print it '
            "from its PDF. Only a confirmed registration has a badge (409 otherwise)."
        ),
        parameters=[REGISTRATION_PARAMETER],
        request=None,
        responses={200: OrganiserBadgeSerializer, **error_responses(401, 403, 404, 409, 429)},
        tags=["organisers"],
    )
    def post(self, request, pk: int) -> Response:
        registration = self.registration(pk)
        badge = services.reissue_badge(registration=registration, actor=request.user)
        return self.present(badge, registration)

"""The print-run API for organisers: start an event's badge print run, follow it, fetch its PDF.

Who may call it: staff allowed to add print runs (the print-run page's permission), signed in to
the admin (session, with the CSRF token on POST) or with ``Authorization: Token <key>``, as the
other organiser endpoints; a token reaches only its events' print runs (others answer 404).
Views parse, call ``badges.printing`` and present.
"""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.api.auth import OrganiserTokenAuthentication
from agenda.api.scope import allowed_events
from agenda.models import Event
from eventsite.api import error_responses
from registrations.api.views import SignedInThrottle

from ..models import PrintRun, PrintRunStatus
from ..printing import PrintFilters, start_print_run
from ..views import PRINT_PERMISSION
from .serializers import PrintRunRequestSerializer, PrintRunSerializer
from .views import JSONOnly


class CanPrintBadges(permissions.BasePermission):
    """Staff who may add print runs, as on the print-run page, for reading them too: a run's
    file holds every printed attendee's name and code."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_staff and user.has_perm(PRINT_PERMISSION)
        )


EVENT_PARAMETER = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, description=_("The event's slug.")
)
PRINT_RUN_PARAMETER = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description=_("The print run's id.")
)


class PrintRunAPIView(APIView):
    # Token first, so that a request without credentials is told 401 and how to authenticate.
    authentication_classes = [OrganiserTokenAuthentication, SessionAuthentication]
    permission_classes = [CanPrintBadges]
    throttle_classes = [SignedInThrottle]

    def event(self, slug: str) -> Event:
        return get_object_or_404(allowed_events(self.request, Event.objects.all()), slug=slug)

    def print_run(self, slug: str, pk: int) -> PrintRun:
        """The event's print run, with its event, in one query; 404 if the request may not
        reach the event."""
        print_runs = PrintRun.objects.filter(
            event__in=allowed_events(self.request, Event.objects.filter(slug=slug))
        ).select_related("event")
        return get_object_or_404(print_runs, pk=pk)

    def present(self, print_run: PrintRun, *, status_code: int = status.HTTP_200_OK) -> Response:
        request = self.request

        def file_url(print_run: PrintRun) -> str:
            path = reverse(
                "api-event-print-run-file",
                kwargs={"slug": print_run.event.slug, "pk": print_run.pk},
            )
            return request.build_absolute_uri(path)

        body = PrintRunSerializer(print_run, context={"file_url": file_url}).data
        return Response(body, status=status_code)


class EventPrintRunsView(PrintRunAPIView):
    @extend_schema(
        operation_id="event_print_run_create",
        summary=_("Start a badge print run"),
        description=_(
            "Queues the making of a PDF of the event's badges, four A6 badges per A4 sheet, "
            "sorted by last name: confirmed attendees who come in person, narrowed by the "
            "filters given (as on the print-run page). Answers 202 with the run; follow it "
            "with GET until its file is there. Badges missing are issued as the run starts."
        ),
        parameters=[EVENT_PARAMETER],
        request=PrintRunRequestSerializer,
        responses={202: PrintRunSerializer, **error_responses(400, 401, 403, 404, 429)},
        tags=["organisers"],
    )
    def post(self, request, slug: str) -> Response:
        event = self.event(slug)
        serializer = PrintRunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        print_run = start_print_run(
            event=event,
            requested_by=request.user,
            filters=PrintFilters.from_dict(serializer.validated_data),
            language=get_language(),
        )
        # Eager tasks (development, tests) may have made it already: answer what is now.
        print_run.refresh_from_db()
        print_run.event = event
        return self.present(print_run, status_code=status.HTTP_202_ACCEPTED)


class EventPrintRunView(PrintRunAPIView):
    @extend_schema(
        operation_id="event_print_run_retrieve",
        summary=_("Follow a badge print run"),
        description=_(
            "Where the print run stands (status, badges done of its total) and, once done, the "
            "address of its PDF."
        ),
        parameters=[EVENT_PARAMETER, PRINT_RUN_PARAMETER],
        responses={200: PrintRunSerializer, **error_responses(401, 403, 404, 429)},
        tags=["organisers"],
    )
    def get(self, request, slug: str, pk: int) -> Response:
        return self.present(self.print_run(slug, pk))


class EventPrintRunFileView(PrintRunAPIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="event_print_run_file",
        summary=_("Download a print run's badges"),
        parameters=[EVENT_PARAMETER, PRINT_RUN_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("A4 sheets of four badges each.")
            ),
            **error_responses(401, 403, 404, 429),
        },
        tags=["organisers"],
    )
    def get(self, request, slug: str, pk: int) -> FileResponse:
        print_run = self.print_run(slug, pk)
        if print_run.status != PrintRunStatus.DONE or not print_run.file:
            raise NotFound(_("This print run has no file yet."))
        try:
            file = print_run.file.open("rb")
        except OSError as error:  # removed from storage behind the site's back
            raise NotFound(_("This print run has no file yet.")) from error
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"badges-{print_run.event.slug}-{print_run.pk}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

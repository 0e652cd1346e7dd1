"""The report API for organisers: ask for an event's post-event report, follow it, fetch its files.

Who may call it: staff allowed to view reports (GET) and to add them (POST), signed in to the
admin (session, with the CSRF token on POST) or with ``Authorization: Token <key>``, as the
other organiser endpoints; a token reaches only its events' reports (others answer 404). Views
parse, call ``building`` and present.
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
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.api.auth import OrganiserTokenAuthentication
from agenda.api.scope import allowed_events
from agenda.models import Event
from eventsite.api import error_responses
from registrations.api.views import SignedInThrottle

from ..building import FILE_TYPES, may_request_reports, may_view_reports, request_report
from ..models import Report
from .serializers import ReportSerializer


class CanUseReports(permissions.BasePermission):
    """Staff who may view reports; asking for one (POST) needs "Can add report" too."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and may_view_reports(user)):
            return False
        return request.method in permissions.SAFE_METHODS or may_request_reports(user)


EVENT_PARAMETER = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, description=_("The event's slug.")
)


class ReportAPIView(APIView):
    # Token first, so that a request without credentials is told 401 and how to authenticate.
    authentication_classes = [OrganiserTokenAuthentication, SessionAuthentication]
    permission_classes = [CanUseReports]
    throttle_classes = [SignedInThrottle]

    def event(self, slug: str) -> Event:
        events = allowed_events(self.request, Event.objects.select_related("report"))
        return get_object_or_404(events, slug=slug)

    def report(self, event: Event) -> Report:
        report = getattr(event, "report", None)
        if report is None:
            raise NotFound(_("No report has been asked for this event yet."))
        return report

    def present(self, report: Report, *, status_code: int = status.HTTP_200_OK) -> Response:
        request = self.request

        def file_url(report: Report, kind: str) -> str:
            path = reverse(
                "api-event-report-file", kwargs={"slug": report.event.slug, "kind": kind}
            )
            return request.build_absolute_uri(path)

        body = ReportSerializer(report, context={"file_url": file_url}).data
        return Response(body, status=status_code)


class EventReportView(ReportAPIView):
    @extend_schema(
        operation_id="event_report_retrieve",
        summary=_("Follow an event's report"),
        description=_(
            "Where the making of the event's report stands (status, stage, percent) and, once "
            "made, the addresses of its PDF and workbook. While a new attempt is made, the "
            "files of the last one done stay available."
        ),
        parameters=[EVENT_PARAMETER],
        responses={200: ReportSerializer, **error_responses(401, 403, 404, 429)},
        tags=["organisers"],
    )
    def get(self, request, slug: str) -> Response:
        return self.present(self.report(self.event(slug)))

    @extend_schema(
        operation_id="event_report_request",
        summary=_("Ask for an event's report"),
        description=_(
            "Queues the making of the event's post-event report (a PDF and a workbook) and "
            "answers 202 with its state; follow it with GET. Asking again replaces the files "
            "once the new ones are made. Refused (409) before the event has started."
        ),
        parameters=[EVENT_PARAMETER],
        request=None,
        responses={202: ReportSerializer, **error_responses(401, 403, 404, 409, 429)},
        tags=["organisers"],
    )
    def post(self, request, slug: str) -> Response:
        event = self.event(slug)
        report = request_report(event=event, actor=request.user, language=get_language())
        # Eager tasks (development, tests) may have made it already: answer what is now.
        report.refresh_from_db()
        report.event = event
        return self.present(report, status_code=status.HTTP_202_ACCEPTED)


class EventReportFileView(ReportAPIView):
    @extend_schema(
        operation_id="event_report_file",
        summary=_("Download a report's file"),
        parameters=[
            EVENT_PARAMETER,
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.PATH,
                enum=list(FILE_TYPES),
                description=_("pdf or xlsx"),
            ),
        ],
        responses={
            # One entry per kind: the PDF, or the workbook.
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
                for content_type in FILE_TYPES.values()
            },
            **error_responses(401, 403, 404, 429),
        },
        tags=["organisers"],
    )
    def get(self, request, slug: str, kind: str) -> FileResponse:
        report = self.report(self.event(slug))
        if kind not in FILE_TYPES or not getattr(report, kind):
            raise NotFound(_("This report has no such file yet."))
        return FileResponse(
            getattr(report, kind).open("rb"),
            as_attachment=True,
            filename=f"report-{slug}.{kind}",
            content_type=FILE_TYPES[kind],
        )

"""The organisers' admin for post-event reports, and the network's dashboard.

An organiser asks for an event's report in three ways, all through ``building.request_report``:
the action "Make the post-event report" on the list of events, the "Add report" button here
(which asks which event), or "Make it again" on the report's page. The report's page shows
its progress, polling a small JSON status, and offers the files when they are made. Reading
reports needs "Can view report"; asking for one, "Can add report".

Registered from ``ReportsConfig.ready``: the action is added to the events' admin, which the
agenda app registers and which knows nothing of reports.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from agenda.models import Event
from eventsite.exceptions import ApplicationError

from .building import (
    FILE_TYPES,
    ReportNotAvailable,
    is_active,
    may_request_reports,
    may_view_reports,
    request_report,
)
from .enums import ReportStatus
from .models import Report


def file_url(report: Report, kind: str) -> str | None:
    if not getattr(report, kind):
        return None
    return reverse("admin:reports_report_file", kwargs={"slug": report.event.slug, "kind": kind})


def report_status(report: Report) -> dict:
    """What the report's page polls: small, and only about this report."""
    return {
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "stage": report.stage,
        "percent": report.percent,
        "attempt": report.attempt,
        "active": is_active(report),
        "error": report.error if report.status == ReportStatus.FAILED else "",
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        "pdf": file_url(report, "pdf"),
        "xlsx": file_url(report, "xlsx"),
    }


def _ask(request: HttpRequest, event: Event) -> Report | None:
    try:
        return request_report(event=event, actor=request.user, language=get_language())
    except ApplicationError as error:
        messages.error(request, f"{event.title}: {error.message}")
        return None


# --- asking from the list of events --------------------------------------------------------------


@admin.action(description=gettext_lazy("Make the post-event report"))
def make_post_event_report(modeladmin, request: HttpRequest, queryset):
    if not may_request_reports(request.user):
        messages.error(request, _("You may not ask for reports."))
        return None
    # At most twenty at once: each queues a build of several seconds.
    events = list(queryset.order_by("start")[:20])
    asked = [event for event in events if _ask(request, event) is not None]
    if len(events) == 1 and asked:
        return redirect("admin:reports_report_event", slug=asked[0].slug)
    if asked:
        messages.success(
            request,
            ngettext(
                "The report of %(count)d event is being made.",
                "The reports of %(count)d events are being made.",
                len(asked),
            )
            % {"count": len(asked)},
        )
        return redirect("admin:reports_report_changelist")
    return None


def add_action_to_events(site: admin.AdminSite) -> None:
    """Adds "Make the post-event report" to the events' admin, if the site has one."""
    try:
        event_admin = site.get_model_admin(Event)
    except admin.sites.NotRegistered:
        return
    if make_post_event_report not in event_admin.actions:
        event_admin.actions = [*event_admin.actions, make_post_event_report]


# --- the reports' admin --------------------------------------------------------------------------


class EventChoiceForm(forms.Form):
    event = forms.ModelChoiceField(
        label=gettext_lazy("Event"),
        queryset=Event.objects.none(),
        help_text=gettext_lazy("Events that have started, the latest first."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(start__lte=timezone.now()).order_by(
            "-start"
        )


class ReportAdmin(admin.ModelAdmin):
    list_display = ["event", "state", "finished_at", "requested_by", "files"]
    list_select_related = ["event", "requested_by"]
    list_filter = ["status"]
    search_fields = ["event__title", "event__slug"]
    ordering = ["-event__start"]
    actions = ["make_again"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a report changes only by being made again

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def state(self, report: Report) -> str:
        url = reverse("admin:reports_report_event", kwargs={"slug": report.event.slug})
        label = report.get_status_display()
        if is_active(report):
            label = f"{label} ({report.percent} %)"
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("files"))
    def files(self, report: Report) -> str:
        links = [
            format_html('<a href="{}">{}</a>', url, name)
            for kind, name in (("pdf", "PDF"), ("xlsx", "XLSX"))
            if (url := file_url(report, kind))
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links) if links else "—"

    @admin.action(description=gettext_lazy("Make the selected reports again"), permissions=["add"])
    def make_again(self, request, queryset):
        asked = [r for r in queryset.select_related("event") if _ask(request, r.event)]
        if asked:
            messages.success(
                request,
                ngettext(
                    "%(count)d report is being made again.",
                    "%(count)d reports are being made again.",
                    len(asked),
                )
                % {"count": len(asked)},
            )

    def delete_model(self, request, obj: Report) -> None:
        names = [name for name in (obj.pdf.name, obj.xlsx.name) if name]
        storage = obj.pdf.storage
        super().delete_model(request, obj)
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    def delete_queryset(self, request, queryset) -> None:
        for report in queryset:
            self.delete_model(request, report)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="reports_report_dashboard"),
            path("event/<slug:slug>/", view(self.event_view), name="reports_report_event"),
            path(
                "event/<slug:slug>/status/",
                view(self.status_view),
                name="reports_report_status",
            ),
            path(
                "event/<slug:slug>/<str:kind>/",
                view(self.file_view),
                name="reports_report_file",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return redirect("admin:reports_report_event", slug=report.event.slug)

    def add_view(self, request, form_url="", extra_context=None):
        """Which event? Then the report is asked for and its page shown."""
        if not may_request_reports(request.user):
            raise PermissionDenied
        form = EventChoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            event = form.cleaned_data["event"]
            try:
                request_report(event=event, actor=request.user, language=get_language())
            except ReportNotAvailable as error:
                form.add_error("event", str(error.message))
            else:
                return redirect("admin:reports_report_event", slug=event.slug)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Make a post-event report"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "reports/report/choose_event.html", context)

    # --- the report's page

    def _event(self, request, slug: str) -> Event:
        if not may_view_reports(request.user):
            raise PermissionDenied
        return get_object_or_404(Event.objects.select_related("report"), slug=slug)

    @staticmethod
    def _report(event: Event) -> Report | None:
        return getattr(event, "report", None)

    # admin_view() makes these pages uncached, CSRF-protected and for signed-in staff only.

    def event_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """GET: the report's state and files; POST: asks for it (again)."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        event = self._event(request, slug)
        if request.method == "POST":
            if not may_request_reports(request.user):
                raise PermissionDenied
            if _ask(request, event) is not None:
                return redirect("admin:reports_report_event", slug=event.slug)
        report = self._report(event)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Post-event report"),
            "subtitle": event.title,
            "opts": self.opts,
            "event": event,
            "report": report,
            "status": report_status(report) if report else None,
            "may_request": may_request_reports(request.user),
            "started": event.start <= timezone.now(),
        }
        return TemplateResponse(request, "reports/report/event.html", context)

    def status_view(self, request: HttpRequest, slug: str) -> JsonResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        report = self._report(self._event(request, slug))
        if report is None:
            raise Http404
        return JsonResponse(report_status(report))

    def file_view(self, request: HttpRequest, slug: str, kind: str) -> HttpResponse:
        report = self._report(self._event(request, slug))
        if kind not in FILE_TYPES or report is None or not getattr(report, kind):
            raise Http404
        return FileResponse(
            getattr(report, kind).open("rb"),
            as_attachment=True,
            filename=f"report-{slug}.{kind}",
            content_type=FILE_TYPES[kind],
        )

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        from .dashboard import dashboard_charts, network_figures

        if not may_view_reports(request.user):
            raise PermissionDenied
        figures = network_figures()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Network dashboard"),
            "opts": self.opts,
            "figures": figures,
            "charts": dashboard_charts(figures),
        }
        return TemplateResponse(request, "reports/dashboard.html", context)


def register(site: admin.AdminSite) -> None:
    """Registers the reports' admin and the events' action on ``site``."""
    if not site.is_registered(Report):
        site.register(Report, ReportAdmin)
    add_action_to_events(site)

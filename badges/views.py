"""Badge PDFs: an attendee's own badge, and the organisers' print runs.

The own badge is reached from the personal page's token, like that page, and only confirmed
in-person attendees have one. Print runs are for staff allowed to add them (the organisers
group); anyone not signed in is sent to the admin's sign-in page and brought back.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agenda.models import Event
from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.selectors import registration_by_token
from registrations.views import private

from .forms import PrintRunForm
from .models import PrintRun, PrintRunStatus
from .pdf import Layout, badge_face, event_heading, render_badges
from .printing import start_print_run
from .services import issue_badge

PRINT_PERMISSION = "badges.add_printrun"


def has_own_badge(registration) -> bool:
    """Whether the attendee may print a badge: confirmed, attending in person."""
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.mode == AttendanceMode.IN_PERSON
    )


def no_own_badge_reason(registration) -> str:
    """Why the attendee has no badge of their own, for them to read; "" when they have one.

    The same words as the page ``badge_pdf`` shows, for the API's answer.
    """
    if has_own_badge(registration):
        return ""
    if registration.status != RegistrationStatus.CONFIRMED:
        return _(
            "Badges are for confirmed attendees, and your registration is %(status)s. Once "
            "your place is confirmed, your badge will be here."
        ) % {"status": registration.get_status_display().lower()}
    return _(
        "You attend online, so there is no badge to print: badges are for people who come to "
        "the venue."
    )


def badge_pdf_response(registration) -> HttpResponse:
    """The registration's badge as an A6 PDF, shown inline; the page and the API answer it.

    Expects the registration's event (with its venue) and person (with the organisation)
    fetched along. Saves: its badge, if it has no valid one yet (``issue_badge``, which raises
    ``BadgeNotAvailable`` unless the registration is confirmed).
    """
    badge = issue_badge(registration=registration)
    badge.registration = registration
    pdf = render_badges(
        [badge_face(badge)], heading=event_heading(registration.event), layout=Layout.A6
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{registration.event.slug}.pdf"'
    return response


@private
@require_GET
def badge_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's badge as an A6 PDF; a page that says why not for anyone else."""
    registration = registration_by_token(token=token)
    if registration is None:
        raise Http404
    if not has_own_badge(registration):
        return render(
            request,
            "badges/no_badge.html",
            {
                "registration": registration,
                "event": registration.event,
                "online": registration.mode == AttendanceMode.ONLINE,
            },
            status=403,
        )
    return badge_pdf_response(registration)


# --- print runs ----------------------------------------------------------------------------------


def _organiser_event(request: HttpRequest, slug: str) -> Event:
    if not (request.user.is_staff and request.user.has_perm(PRINT_PERMISSION)):
        raise PermissionDenied
    return get_object_or_404(Event.objects.select_related("venue"), slug=slug)


def _status(print_run: PrintRun) -> dict:
    return {
        "id": print_run.pk,
        "status": print_run.status,
        "status_label": str(print_run.get_status_display()),
        "done": print_run.done,
        "total": print_run.total,
        "percent": print_run.percent,
        "download": (
            reverse(
                "badges:print-run-file",
                kwargs={"slug": print_run.event.slug, "pk": print_run.pk},
            )
            if print_run.status == PrintRunStatus.DONE and print_run.file
            else None
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def print_runs(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form and the event's recent runs; POST: starts a run and shows its progress."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    event = _organiser_event(request, slug)
    form = PrintRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        print_run = start_print_run(
            event=event,
            requested_by=request.user,
            filters=form.filters(),
            language=get_language(),
        )
        return redirect(
            f"{reverse('badges:print-runs', kwargs={'slug': event.slug})}?run={print_run.pk}"
        )
    runs = list(PrintRun.objects.filter(event=event).select_related("event")[:10])
    current = None
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        current = next((run for run in runs if run.pk == int(run_id)), None)
    return render(
        request,
        "badges/print_runs.html",
        {
            "event": event,
            "form": form,
            "runs": runs,
            "current": current,
            "current_status": _status(current) if current else None,
            # For the page's script, which fills in the numbers as the run goes.
            "progress_text": _("%(state)s: %(done)s of %(total)s badges.")
            % {"state": "__STATE__", "done": "__DONE__", "total": "__TOTAL__"},
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@never_cache
@require_GET
def print_run_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    event = _organiser_event(request, slug)
    print_run = get_object_or_404(PrintRun.objects.select_related("event"), pk=pk, event=event)
    return JsonResponse(_status(print_run))


@never_cache
@require_GET
def print_run_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    event = _organiser_event(request, slug)
    print_run = get_object_or_404(
        PrintRun, pk=pk, event=event, status=PrintRunStatus.DONE, file__gt=""
    )
    return FileResponse(
        print_run.file.open("rb"),
        as_attachment=True,
        filename=f"badges-{event.slug}-{print_run.pk}.pdf",
        content_type="application/pdf",
    )

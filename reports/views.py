"""The attendee's join link, certificate and survey; the organisers' attendance page.

The attendee's pages are reached by an unguessable token in their address (the registration's,
or the survey response's), like the personal page: they are kept out of caches, search engines
and Referer headers (``registrations.views.private``); the logs drop the token from the address
(``eventsite.logging``).

The attendance page is for staff allowed to add attendance marks (the organisers group); anyone
not signed in is sent to the admin's sign-in page and brought back.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from agenda.markdown import render_markdown
from agenda.models import Event
from eventsite.exceptions import ApplicationError
from registrations.models import Registration
from registrations.selectors import registration_by_token
from registrations.views import private

from . import attendance as attendance_services
from . import certificates, feedback
from .exceptions import CertificateNotAvailable, JoinNotAvailable, SurveyClosed
from .forms import AttendanceFilterForm, AttendanceMarkForm, ReferenceForm, SurveyForm
from .models import AttendanceMark, SurveyResponse
from .selectors import EventAttendance, event_attendance, registrations_with_attendance

ATTENDANCE_PERMISSION = "reports.add_attendancemark"
ATTENDANCE_PAGE_SIZE = 50


def _registration_or_404(token: str) -> Registration:
    registration = registration_by_token(token=token)
    if registration is None:
        raise Http404
    return registration


def _session_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


# --- joining online ------------------------------------------------------------------------------

# Why the link did not lead to the meeting: an answer that waiting may change is a 200.
WAITING_CODES = {"join_not_yet_open", "join_no_link", "join_ended"}


@private
@require_safe
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Notes that an online attendee joined, then sends them on to the meeting.

    Outside the meeting's hours, or for someone who does not attend online, a page says why and,
    before the start, when the link opens.
    """
    registration = _registration_or_404(token)
    now = timezone.now()
    try:
        attendance_services.check_join(registration=registration, now=now)
    except JoinNotAvailable as error:
        return render(
            request,
            "reports/join.html",
            {
                "registration": registration,
                "event": registration.event,
                "error": error,
                "opens_at": error.opens_at,
            },
            status=200 if error.code in WAITING_CODES else error.status,
        )
    session = attendance_services.joinable_session(
        registration=registration, session_id=_session_id(request.GET.get("session")), now=now
    )
    attendance_services.record_join(registration=registration, session=session, now=now)
    return HttpResponseRedirect(registration.event.online_url)


# --- the certificate -----------------------------------------------------------------------------


@private
@require_safe
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate of attendance as a PDF; a page that says why not (403) for anyone else."""
    registration = _registration_or_404(token)
    try:
        attendance = certificates.check_certificate(registration=registration)
    except CertificateNotAvailable as error:
        return render(
            request,
            "reports/no_certificate.html",
            {"registration": registration, "event": registration.event, "error": error},
            status=error.status,
        )
    pdf = certificates.render_certificate(
        certificates.certificate_of(registration=registration, attendance=attendance)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="certificate-{registration.event.slug}.pdf"'
    )
    return response


# --- the survey ----------------------------------------------------------------------------------


def _given_answers(form_items, answers) -> list[dict]:
    """The attendee's answers, question by question, for the page of a closed survey."""
    by_key = {(a.question_id, a.session_id): a for a in answers}
    given = []
    for item in form_items:
        question = item.question
        if item.sessions is not None:
            values = [
                (str(bound.label), by_key[(question.pk, session.pk)].rating)
                for session, bound in item.sessions
                if (question.pk, session.pk) in by_key
            ]
            given.append({"label": item.label, "sessions": values})
        else:
            answer = by_key.get((question.pk, None))
            value = "" if answer is None else (answer.rating or answer.text)
            given.append({"label": item.label, "value": value, "rating": question.is_rating})
    return given


@private
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the attendee's survey with their answers so far; POST saves them.

    Once the survey has closed, the page shows the answers given and takes no more.
    """
    response_row = feedback.response_by_token(token=token)
    if response_row is None:
        raise Http404
    survey_row = response_row.survey
    event = survey_row.event
    now = timezone.now()
    questions = feedback.survey_questions(survey=survey_row)
    sessions = feedback.rated_sessions(response=response_row)
    answers = list(response_row.answers.all())
    closed_message = ""
    try:
        feedback.check_survey_open(survey=survey_row, now=now)
    except SurveyClosed as error:
        closed_message = str(error.message)
    form_kwargs = {"event": event, "questions": questions, "sessions": sessions, "answers": answers}
    bound = request.method == "POST" and not closed_message
    form = SurveyForm(request.POST if bound else None, **form_kwargs)
    status = 409 if request.method == "POST" and closed_message else 200
    if bound:
        if form.is_valid():
            try:
                feedback.save_answers(response=response_row, answers=form.to_answers(), now=now)
            except SurveyClosed as error:
                closed_message, status = str(error.message), error.status
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your answers are saved. You can come back and change them "
                        "until %(date)s."
                    )
                    % {"date": formats.date_format(event.local(survey_row.closes), "DATE_FORMAT")},
                )
                return redirect("reports:survey", token=token)
        else:
            status = 400
    return render(
        request,
        "reports/survey.html",
        {
            "response": response_row,
            "registration": response_row.registration,
            "survey": survey_row,
            "event": event,
            "intro_html": render_markdown(survey_row.intro) if survey_row.intro else "",
            "form": form,
            "items": form.items(),
            "closed_message": closed_message,
            "given": _given_answers(form.items(), answers) if closed_message else [],
            "submitted": response_row.submitted_at is not None,
        },
        status=status,
    )


# --- the organisers' attendance page -------------------------------------------------------------


def _organiser_event(request: HttpRequest, slug: str) -> Event:
    if not (request.user.is_staff and request.user.has_perm(ATTENDANCE_PERMISSION)):
        raise PermissionDenied
    return get_object_or_404(Event.objects.select_related("venue"), slug=slug)


def _mark(request: HttpRequest, event: Event) -> HttpResponse:
    form = AttendanceMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That change could not be read; nothing was saved."))
        return redirect(request.get_full_path())
    registration = (
        Registration.objects.select_related("person", "event")
        .filter(pk=form.cleaned_data["registration"], event=event)
        .first()
    )
    if registration is None:
        raise Http404
    try:
        change = attendance_services.set_attendance_mark(
            registration=registration, attended=form.attended(), actor=request.user
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(request.get_full_path())
    name = registration.person.full_name
    if not change.changed:
        messages.success(request, _("Nothing to change for %(name)s.") % {"name": name})
    elif form.attended() is None:
        messages.success(
            request,
            _("The mark of %(name)s is removed: what was recorded decides.") % {"name": name},
        )
    elif form.attended():
        messages.success(request, _("%(name)s is marked as attended.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is marked as absent.") % {"name": name})
    return redirect(request.get_full_path())


def _verification(
    event: Event, reference_form: ReferenceForm, overview: EventAttendance
) -> dict | None:
    """Whose certificate a reference typed on the page belongs to, if it is one of this event's."""
    if not reference_form.is_bound:
        return None
    if not reference_form.is_valid():
        return {"found": False}
    registration = certificates.registration_of_reference(reference_form.cleaned_data["reference"])
    if registration is None or registration.event_id != event.pk:
        return {"found": False}
    return {
        "found": True,
        "registration": registration,
        "attended": registration.pk in overview.attended,
        "hours": overview.hours.get(registration.pk),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the event's confirmed registrations with what was recorded of their attendance.

    POST: marks one of them attended or absent, or removes the mark, and comes back to the same
    page of the list.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    event = _organiser_event(request, slug)
    if request.method == "POST":
        return _mark(request, event)

    filters = AttendanceFilterForm(request.GET)
    filters.is_valid()
    query = filters.cleaned_data.get("q", "")
    show = filters.cleaned_data.get("show", "")
    overview = event_attendance(event=event)
    rows = registrations_with_attendance(event=event)
    for word in query.split()[:5]:
        rows = rows.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__organisation__name__icontains=word)
        )
    if show == AttendanceFilterForm.ATTENDED:
        rows = rows.filter(pk__in=overview.attended)
    elif show == AttendanceFilterForm.NOT_ATTENDED:
        rows = rows.exclude(pk__in=overview.attended)
    elif show == AttendanceFilterForm.MARKED:
        rows = rows.filter(
            Exists(AttendanceMark.objects.filter(registration=OuterRef("pk"), session=None))
        )
    page = Paginator(rows, ATTENDANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.attended = row.pk in overview.attended
        row.hours = overview.hours.get(row.pk)
    reference_form = ReferenceForm(request.GET if "reference" in request.GET else None)
    return render(
        request,
        "reports/attendance.html",
        {
            "event": event,
            "filters": filters,
            "page": page,
            "query_string": request.GET.urlencode(),
            "confirmed_count": len(overview.confirmed),
            "attended_count": len(overview.attended),
            "has_sessions": bool(overview.sessions),
            "reference_form": reference_form,
            "verification": _verification(event, reference_form, overview),
            "feedback": SurveyResponse.objects.filter(survey__event=event).aggregate(
                invited=Count("pk", filter=Q(invited_at__isnull=False)),
                answered=Count("pk", filter=Q(submitted_at__isnull=False)),
            ),
        },
    )

"""The public registration form and the attendee's own page.

Both only parse, call a service and present its answer: the rules live in ``services``. The
personal page is reached by an unguessable token in its address; it is kept out of caches,
search engines and Referer headers.
"""

from collections.abc import Callable
from email.utils import parseaddr
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.defaults import page_not_found

from agenda.enums import EventFormat
from agenda.markdown import render_markdown
from agenda.models import Event
from agenda.selectors import public_event
from eventsite.exceptions import ApplicationError
from members.models import Organisation, Person
from members.services import renew_calendar_token

from . import consent, ratelimit, services
from .enums import ACTIVE_STATUSES, AttendanceMode, RegistrationStatus
from .exceptions import Busy, NotEligible, RegistrationNotOpen
from .forms import (
    ChangeModeForm,
    ChangeSessionsForm,
    ConsentForm,
    RegistrationForm,
    signup_session_slots,
)
from .models import Question, Registration
from .selectors import registration_by_token, registration_summary

# Errors a service raises without naming a field, and the form field they are about.
FIELD_OF_ERROR_CODE = {
    "invitation_required": "invitation_code",
    "invitation_invalid": "invitation_code",
}


def _form_rate() -> tuple[int, int]:
    """(POSTs allowed, per seconds) for one client on one event's form."""
    return tuple(getattr(settings, "REGISTRATIONS_FORM_RATE", (10, 60)))


def organisers_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _invitation_request_link(event: Event) -> str:
    subject = _("Invitation request: %(event)s") % {"event": event.title}
    return f"mailto:{organisers_address()}?subject={quote(subject)}"


def _outcome_message(registration: Registration) -> str:
    summary = registration_summary(registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("You are registered: your place is confirmed. We have sent you a confirmation.")
    if registration.status == RegistrationStatus.WAITLISTED:
        return _(
            "The event is full for now: you are number %(position)s on the waitlist. We will "
            "write to you as soon as a place is yours."
        ) % {"position": summary.waitlist_position}
    if registration.status == RegistrationStatus.PENDING:
        return _(
            "Thank you. Your registration is waiting for the organisers' approval; we will "
            "write to you once they have decided."
        )
    return str(registration.get_status_display())


# --- the public form -----------------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    *,
    event: Event,
    form: RegistrationForm,
    notice,
    status: int = 200,
    alert: str = "",
    not_eligible: str = "",
    retry_after: int | None = None,
) -> HttpResponse:
    # Suggestions only: the service decides whether the typed name is a known organisation.
    organisation_names = list(
        Organisation.objects.order_by("name").values_list("name", flat=True).distinct()
    )
    response = render(
        request,
        "registrations/register.html",
        {
            "event": event,
            "form": form,
            "notice": notice,
            "notice_html": render_markdown(notice.text),
            "alert": alert,
            "not_eligible": not_eligible,
            "invitation_request_link": _invitation_request_link(event),
            "organisers_address": organisers_address(),
            "organisation_names": organisation_names,
            "picked": form.picked_session_ids(),
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _sent(request: HttpRequest, *, event: Event, email: str) -> HttpResponse:
    """The same neutral answer whether the address was new, known, or typed by a robot."""
    return render(request, "registrations/sent.html", {"event": event, "email": email})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows the event's registration form; POST registers through ``services.register``.

    A filled honeypot answers like success and records nothing. Too many POSTs from one address
    answer 429; a lock timeout answers 503; both keep what was typed in the form.
    """
    event = public_event(slug=slug)
    retry_after = None
    if request.method == "POST":
        limit, period = _form_rate()
        retry_after = ratelimit.hit(
            f"register:{event.pk}:{ratelimit.client_ip(request)}", limit=limit, period=period
        )
    try:
        services.check_registration_open(event=event)
        notice = services.current_privacy_notice(event=event)
    except ApplicationError as error:
        return render(
            request,
            "registrations/closed.html",
            {"event": event, "message": error.message},
            status=200 if request.method == "GET" else error.status,
        )

    questions = list(Question.objects.filter(event=event))
    form_kwargs = {"event": event, "questions": questions, "slots": signup_session_slots(event)}
    if request.method == "GET":
        form = RegistrationForm(
            initial={"invitation_code": request.GET.get("code", "")[:40]}, **form_kwargs
        )
        return _render_form(request, event=event, form=form, notice=notice)

    form = RegistrationForm(request.POST, **form_kwargs)
    if retry_after is not None:
        return _render_form(
            request,
            event=event,
            form=form,
            notice=notice,
            status=429,
            retry_after=retry_after,
            alert=_(
                "This form was sent too many times from your connection in a short while. "
                "Please wait %(seconds)s seconds and send it again: what you typed is kept."
            )
            % {"seconds": retry_after},
        )
    if form.is_trapped:
        return _sent(request, event=event, email=form.data.get("email", ""))
    if not form.is_valid():
        return _render_form(request, event=event, form=form, notice=notice, status=400)

    # Read before registering: a new registration of a person already known is theirs too, and
    # its page would show what is recorded about them (their calendar address, their badge).
    known_person = Person.objects.filter(email=form.cleaned_data["email"].strip().lower()).exists()
    try:
        result = services.register(
            event=event,
            request=form.to_request(language=get_language() or settings.LANGUAGE_CODE),
            actor=request.user,
        )
    except Busy as error:
        return _render_form(
            request,
            event=event,
            form=form,
            notice=notice,
            status=503,
            retry_after=error.retry_after,
            alert=_(
                "%(message)s Nothing was saved yet and what you typed is kept: send the form "
                "again in a moment."
            )
            % {"message": error.message},
        )
    except RegistrationNotOpen as error:
        return render(
            request,
            "registrations/closed.html",
            {"event": event, "message": error.message},
            status=error.status,
        )
    except NotEligible as error:
        return _render_form(
            request,
            event=event,
            form=form,
            notice=notice,
            status=error.status,
            not_eligible=str(error.message),
        )
    except ApplicationError as error:
        field = error.field or FIELD_OF_ERROR_CODE.get(error.code)
        form.add_error(field if field in form.fields else None, str(error.message))
        return _render_form(request, event=event, form=form, notice=notice, status=error.status)

    if not result.created or known_person:
        # Whoever typed this address may not own it: the registration (existing, or new for a
        # person already known) stays private and its email goes to the address.
        return _sent(request, event=event, email=form.cleaned_data["email"])
    messages.success(request, _outcome_message(result.registration))
    return redirect("registrations:manage", token=result.registration.token)


# --- the attendee's own page ---------------------------------------------------------------------


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keeps a personal page out of caches, search engines and other sites' Referer logs.

    A wrong token answers the site's 404 page with the same headers.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exception:
            response = page_not_found(request, exception)
        # Not "no-referrer": browsers then send "Origin: null" with the page's own forms, which
        # Django's CSRF check refuses. "strict-origin" still never sends the path, token included.
        response["Referrer-Policy"] = "strict-origin"
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _registration_or_404(token: str) -> Registration:
    registration = registration_by_token(token=token)
    if registration is None:
        raise Http404
    return registration


def _render_manage(
    request: HttpRequest,
    registration: Registration,
    *,
    mode_form: ChangeModeForm | None = None,
    sessions_form: ChangeSessionsForm | None = None,
    consent_form: ConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    event = registration.event
    active = registration.status in ACTIVE_STATUSES
    summary = registration_summary(registration)
    slots = signup_session_slots(event) if active else []
    can_change_mode = event.format == EventFormat.HYBRID and registration.status in (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )
    if can_change_mode and mode_form is None:
        mode_form = ChangeModeForm(initial={"mode": registration.mode})
    if slots and sessions_form is None:
        sessions_form = ChangeSessionsForm(
            slots=slots, initial={"sessions": [p.session_id for p in summary.picks]}
        )
    if consent_form is None:
        consent_form = ConsentForm(
            initial={
                "photo_consent": registration.photo_consent,
                "participant_list_consent": registration.participant_list_consent,
            }
        )
    # After the event, the badge and the meeting link have had their day; the page keeps the
    # rest (certificate, feedback) through the after-event panel.
    over = timezone.now() >= event.end
    if sessions_form is not None and sessions_form.is_bound:
        picked = {int(v) for v in sessions_form.data.getlist("sessions") if v.isdigit()}
    else:
        picked = {p.session_id for p in summary.picks}
    return render(
        request,
        "registrations/manage.html",
        {
            "registration": registration,
            "event": event,
            "summary": summary,
            "active": active,
            "mode_form": mode_form if can_change_mode else None,
            "sessions_form": sessions_form if slots else None,
            "slots": slots,
            "picked": picked,
            "pick_status": {p.session_id: p for p in summary.picks},
            "consent_form": consent_form,
            "may_see_participants": consent.may_see_participant_list(registration),
            "event_over": over,
            "show_online_link": (
                not over
                and registration.status == RegistrationStatus.CONFIRMED
                and registration.mode == AttendanceMode.ONLINE
                and bool(event.online_url)
            ),
        },
        status=status,
    )


@private
@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    return _render_manage(request, _registration_or_404(token))


@private
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation; POST cancels (or leaves the waitlist) through the service."""
    registration = _registration_or_404(token)
    if registration.status not in ACTIVE_STATUSES:
        return redirect("registrations:manage", token=token)
    if request.method == "GET":
        return render(
            request,
            "registrations/cancel.html",
            {"registration": registration, "event": registration.event},
        )
    was_waitlisted = registration.status == RegistrationStatus.WAITLISTED
    try:
        services.cancel(
            registration=registration,
            actor=request.user,
            reason=_("Cancelled by the attendee on their registration page."),
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("You have left the waitlist.")
            if was_waitlisted
            else _("Your registration is cancelled. Thank you for letting us know."),
        )
    return redirect("registrations:manage", token=token)


@private
@require_POST
def change_mode(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    form = ChangeModeForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, registration, mode_form=form, status=400)
    try:
        updated = services.change_mode(
            registration=registration, mode=form.cleaned_data["mode"], actor=request.user
        )
    except ApplicationError as error:
        form.add_error("mode" if error.field == "mode" else None, str(error.message))
        return _render_manage(request, registration, mode_form=form, status=error.status)
    if updated.status == RegistrationStatus.CONFIRMED:
        message = _("You now attend %(mode)s. Your place is confirmed.")
    else:
        message = _(
            "You now attend %(mode)s. That way of attending is full for now: you are on its "
            "waitlist."
        )
    messages.success(request, message % {"mode": updated.get_mode_display().lower()})
    return redirect("registrations:manage", token=token)


@private
@require_POST
def renew_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A new personal calendar address, for someone whose address was shared or leaked."""
    registration = _registration_or_404(token)
    renew_calendar_token(person=registration.person)
    messages.success(
        request,
        _(
            "Your calendar has a new address; the old one no longer works. Subscribe again "
            "with the link below."
        ),
    )
    return redirect("registrations:manage", token=token)


@private
@require_POST
def change_sessions(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    form = ChangeSessionsForm(request.POST, slots=signup_session_slots(registration.event))
    if not form.is_valid():
        return _render_manage(request, registration, sessions_form=form, status=400)
    try:
        services.change_session_picks(
            registration=registration,
            session_ids=form.cleaned_data["sessions"],
            actor=request.user,
        )
    except ApplicationError as error:
        form.add_error("sessions" if error.field == "sessions" else None, str(error.message))
        return _render_manage(request, registration, sessions_form=form, status=error.status)
    messages.success(request, _("Your sessions are updated."))
    return redirect("registrations:manage", token=token)


@private
@require_POST
def change_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee agrees, or no longer agrees, to photos and to the participant list."""
    registration = _registration_or_404(token)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, registration, consent_form=form, status=400)
    consent.change_consents(
        registration=registration,
        photo_consent=form.cleaned_data["photo_consent"],
        participant_list_consent=form.cleaned_data["participant_list_consent"],
        actor=request.user,
    )
    messages.success(request, _("Your choices are saved."))
    return redirect("registrations:manage", token=token)


@private
@require_GET
def participants(request: HttpRequest, token: str) -> HttpResponse:
    """Who else comes: for confirmed attendees, the name and organisation of those who agreed."""
    registration = _registration_or_404(token)
    if not consent.may_see_participant_list(registration):
        raise Http404
    return render(
        request,
        "registrations/participants.html",
        {
            "registration": registration,
            "event": registration.event,
            "participants": list(consent.participant_list(event=registration.event)),
        },
    )

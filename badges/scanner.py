"""The scanner page: organisers check people in at the door with a phone's or laptop's camera.

The page is a shell: the camera, the QR decoder, the offline list and the queue live in
``static/badges/scanner.js``, which talks to the check-in API (``badges/api``) with the
organiser's session. What the script needs from the server (the API's addresses, the event,
its sessions, the interface's words in the page's language) is handed over as JSON in the page.

Who may open it: staff users allowed to add check-ins, as for the API. Anyone not signed in is
sent to the admin's sign-in page and brought back; someone signed in without the right gets 403.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agenda.enums import EventFormat
from agenda.models import Event
from registrations.enums import AttendanceMode, RegistrationStatus

from .enums import BadgeRole, ScanResult

PERMISSION = "badges.add_checkin"


def may_scan(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm(PERMISSION))


def scanner_events():
    """The events an organiser may switch to: public ones that people attend in person."""
    return (
        Event.objects.public()
        .exclude(format=EventFormat.ONLINE)
        .order_by("-start")
        .only("slug", "title", "start", "timezone")
    )


def _session_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@never_cache
def scanner(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not may_scan(request.user):
        raise PermissionDenied
    event = Event.objects.public().filter(slug=slug).select_related("venue").first()
    if event is None:
        raise Http404
    sessions = list(event.sessions.select_related("room").order_by("start", "title"))
    chosen = _session_id(request.GET.get("session"))
    session = next((s for s in sessions if s.pk == chosen), None)
    config = {
        "event": {"id": event.pk, "slug": event.slug, "title": event.title},
        "session": session.pk if session else None,
        "timezone": event.timezone,
        "urls": {
            "checkin": reverse("api-checkin"),
            "batch": reverse("api-checkin-batch"),
            "list": reverse("api-checkin-list", kwargs={"slug": event.slug}),
            "search": reverse("api-checkin-search", kwargs={"slug": event.slug}),
            "stats": reverse("api-checkin-stats", kwargs={"slug": event.slug}),
            "page": reverse("scanner:checkin", kwargs={"slug": "__slug__"}),
        },
        "labels": {
            "role": {value: str(label) for value, label in BadgeRole.choices},
            "mode": {value: str(label) for value, label in AttendanceMode.choices},
            "status": {value: str(label) for value, label in RegistrationStatus.choices},
            "result": {value: str(label) for value, label in ScanResult.choices},
        },
        "text": _script_text(),
    }
    return render(
        request,
        "badges/scanner.html",
        {
            "event": event,
            "events": scanner_events(),
            "sessions": sessions,
            "session": session,
            "config": config,
        },
    )


def _script_text() -> dict[str, str]:
    """Everything the script says, translated here so that the page speaks one language.

    ``{n}``, ``{time}``, ``{by}`` and the like are filled in by the script.
    """
    return {
        "ready": _("Ready: show a badge to the camera"),
        "ready_offline": _("Offline: scanning against the saved list"),
        "starting": _("Starting the camera…"),
        "checking": _("Checking…"),
        "checked_in": _("Checked in"),
        "already": _("Already checked in"),
        "already_at": _("First checked in at {time}"),
        "already_at_by": _("First checked in at {time} by {by}"),
        "this_device": _("this device"),
        "refused": _("Not admitted"),
        "tap": _("Tap anywhere for the next badge"),
        "online_attendee": _("Registered to attend online"),
        "needs_assistance": _("Needs assistance"),
        "offline_banner": _("Offline: {n} scans queued"),
        "offline_banner_one": _("Offline: 1 scan queued"),
        "offline_banner_none": _("Offline: scans will be queued"),
        "sending": _("Sending {n} queued scans…"),
        "sent": _("{n} queued scans sent."),
        "conflicts": _("{n} conflicts: checked in on another device too. Organisers see them."),
        "refused_later": _("{n} queued scans were refused by the server: see the scan log."),
        "queued_online": _("Online: {n} scans waiting to be sent"),
        "stats": _("{checked_in} of {expected} checked in"),
        "stats_conflicts": _("{n} conflicts to review"),
        "list_saved": _("{n} badges saved for offline use"),
        "list_failed": _("Could not save the list for offline use yet."),
        "no_list": _("No saved list: this badge cannot be checked offline."),
        "unknown_offline": _("Not in the saved list. Please go to the desk."),
        "other_event_offline": _("This badge is for another event."),
        "malformed_offline": _("This is not a badge code."),
        "not_signed_up": _("Not signed up for this session."),
        "not_confirmed": _("Not confirmed: {status}."),
        "revoked": _("This badge has been revoked. Please go to the desk."),
        "offline_note": _("Checked offline: it will be sent when the network returns."),
        "offline_short": _("offline"),
        "camera_denied": _(
            "The camera is blocked. Allow it in the browser's site settings, or find people by "
            "name below."
        ),
        "camera_missing": _("No camera found. Find people by name below."),
        "camera_insecure": _("The camera needs a secure (https) address."),
        "camera_failed": _("The camera could not start: {error}"),
        "search_short": _("Type at least two characters."),
        "search_none": _("Nobody found."),
        "search_offline": _("Offline: searching names in the saved list."),
        "search_failed": _("Search failed. Try again."),
        "check_in": _("Check in"),
        "checked_in_at": _("checked in at {time}"),
        "signed_out": _("You are signed out. Sign in again to go on scanning."),
        "forbidden": _("You are not allowed to check people in here."),
        "request_failed": _("The server refused the scan ({status})."),
    }

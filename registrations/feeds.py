"""The attendee's own calendar files: the personal feed and the invitation to download.

Both are reached by an unguessable token in the address (the person's calendar token, the
registration's self-service token); a wrong or renewed token is a 404. Neither is logged with
its token or its content, and both are kept out of shared caches and search engines.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from agenda.feeds import serve_calendar
from members.models import Person

from . import calendar
from .enums import RegistrationStatus
from .selectors import registration_by_token
from .views import private


def _person_by_calendar_token(token: str) -> Person:
    if not token or len(token) > 64:
        raise Http404
    person = Person.objects.filter(calendar_token=token).first()
    if person is None:
        raise Http404
    return person


@require_safe
def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """``/calendar/<token>.ics``: the person's confirmed events and sessions, with join links."""
    person = _person_by_calendar_token(token)
    response = serve_calendar(
        request,
        version=calendar.personal_feed_version(person),
        last_modified=None,
        build=lambda: calendar.personal_feed(person),
        filename="my-events.ics",
        public=False,
    )
    # Unlike the self-service pages (``private``), a calendar application may keep the feed and
    # ask again with its ETag; shared caches and search engines may not.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@private
@require_safe
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """``/registration/<token>/invite.ics``: the confirmed attendee's invitation."""
    registration = registration_by_token(token=token)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise Http404
    body = calendar.invitation(registration, method=calendar.REQUEST)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8; method=REQUEST")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response

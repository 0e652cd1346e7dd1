"""The public calendar feeds: the network's events and one event's agenda.

A feed is built once per change, not per request: its bytes are cached under the version of what
it shows (``updated_at``, which ``agenda.signals`` moves on every change to an event or its
agenda), and the ETag and Last-Modified come from that version. A request first reads the
version (one query); a client that holds it gets a 304 without anything being built or read
from the cache.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from django.core.cache import caches
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import ical
from .selectors import event_sessions, public_event, public_events, public_session

FEED_CACHE = "pages"
FEED_CACHE_SECONDS = 24 * 3600
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Part of every version: raise it when the files' layout changes, so cached copies are dropped.
FORMAT = 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def serve_calendar(
    request: HttpRequest,
    *,
    version: str,
    last_modified: datetime | None,
    build: Callable[[], bytes],
    filename: str,
    public: bool = True,
) -> HttpResponse:
    """Answers a conditional GET from ``version``, building the body only on a cache miss.

    ``version`` must change whenever the body would; ``build`` is called only when the client
    does not hold this version and no process cached it.
    """
    digest = hashlib.sha256(f"{FORMAT}:{version}:{get_language()}".encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    modified = int(last_modified.timestamp()) if last_modified is not None else None
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        cache = caches[FEED_CACHE]
        key = f"ical:{digest}"
        body = cache.get(key)
        if body is None:
            body = build()
            cache.set(key, body, FEED_CACHE_SECONDS)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    if public:
        # Clients ask again each time and get a 304 that costs one query.
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
def events_calendar(request: HttpRequest) -> HttpResponse:
    """``/calendar.ics``: every public event of the network."""
    # The largest updated_at, the count and the sum of keys change together with the set of
    # public events and with any of them, whatever the order of the changes.
    state = public_events().aggregate(latest=Max("updated_at"), count=Count("pk"), keys=Sum("pk"))
    latest = state["latest"]
    version = f"events:{latest.timestamp() if latest else 0}:{state['count']}:{state['keys']}"

    def build() -> bytes:
        events = list(public_events().order_by("start", "pk"))
        return ical.events_feed(events, stamp=latest or EPOCH)

    return serve_calendar(
        request, version=version, last_modified=latest, build=build, filename="events.ics"
    )


@require_safe
def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """``/events/<slug>/calendar.ics``: the event's agenda, one entry per session."""
    event = public_event(slug=slug)
    version = f"agenda:{event.pk}:{event.updated_at.timestamp()}"

    def build() -> bytes:
        return ical.agenda_feed(event, event_sessions(event=event), stamp=event.updated_at)

    return serve_calendar(
        request,
        version=version,
        last_modified=event.updated_at,
        build=build,
        filename=f"{event.slug}.ics",
    )


@require_safe
def session_calendar(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """``/events/<slug>/sessions/<pk>/calendar.ics``: one session to download."""
    session = public_session(slug=slug, pk=pk)
    event = session.event
    version = f"session:{session.pk}:{event.updated_at.timestamp()}"

    def build() -> bytes:
        return ical.session_file(session, stamp=event.updated_at)

    return serve_calendar(
        request,
        version=version,
        last_modified=event.updated_at,
        build=build,
        filename=f"{event.slug}-session-{session.pk}.ics",
    )

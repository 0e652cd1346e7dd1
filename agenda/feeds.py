"""The public calendar feeds: the network's events and one event's agenda.

A feed is built once per change, not per request: its bytes are cached under the version of what
it shows (``updated_at``, which ``agenda.signals`` moves on every change to an event or its
agenda), and the ETag and Last-Modified come from that version. A request first reads the
version (one query); a client that holds it gets a 304 without anything being built or read
from the cache.
"""

import gzip
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from django.core.cache import caches
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import ical
from .page_cache import remember_version
from .selectors import feed_sessions, public_event, public_events, public_session

FEED_CACHE = "pages"
FEED_CACHE_SECONDS = 24 * 3600
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Part of every version: raise it when the files' layout changes, so cached copies are dropped.
FORMAT = 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_etag(version: str, language: str) -> tuple[str, str]:
    """The cache key's digest and the ETag of a feed at this version in this language."""
    digest = hashlib.sha256(f"{FORMAT}:{version}:{language}".encode()).hexdigest()[:32]
    return digest, f'"{digest}"'


def accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def cached_body(digest: str, *, gzipped: bool) -> bytes | None:
    return caches[FEED_CACHE].get(f"ical:{digest}:{'gz' if gzipped else 'raw'}")


def store_body(digest: str, body: bytes) -> bytes:
    """Keeps the feed and a gzip copy, and returns the gzip copy.

    Calendar applications accept gzip, and a 500-session agenda shrinks about twentyfold,
    compressed once per change rather than per request.
    """
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    caches[FEED_CACHE].set_many(
        {f"ical:{digest}:raw": body, f"ical:{digest}:gz": compressed}, FEED_CACHE_SECONDS
    )
    return compressed


def feed_response(
    body: bytes, *, etag: str, modified: int | None, filename: str, gzipped: bool, public: bool
) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if gzipped:
        response["Content-Encoding"] = "gzip"
    return finish_feed_response(response, etag=etag, modified=modified, public=public)


def finish_feed_response(
    response: HttpResponse, *, etag: str, modified: int | None, public: bool
) -> HttpResponse:
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    # Clients ask again each time and get a 304 that costs no rebuild.
    if public:
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


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
    digest, etag = feed_etag(version, get_language())
    modified = int(last_modified.timestamp()) if last_modified is not None else None
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is not None:
        return finish_feed_response(response, etag=etag, modified=modified, public=public)
    gzipped = accepts_gzip(request)
    body = cached_body(digest, gzipped=gzipped)
    if body is None:
        body = build()
        compressed = store_body(digest, body)
        if gzipped:
            body = compressed
    return feed_response(
        body, etag=etag, modified=modified, filename=filename, gzipped=gzipped, public=public
    )


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


def agenda_feed_body(event) -> bytes:
    """The agenda feed of ``event`` as built on a cache miss."""
    return ical.agenda_feed(event, feed_sessions(event=event), stamp=event.updated_at)


def agenda_version(*, event_id: int, stamp: float) -> str:
    return f"agenda:{event_id}:{stamp}"


@require_safe
def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """``/events/<slug>/calendar.ics``: the event's agenda, one entry per session."""
    event = public_event(slug=slug)
    version = agenda_version(event_id=event.pk, stamp=event.updated_at.timestamp())
    # Lets ``page_cache.EventPageCacheMiddleware`` answer the next requests for this feed.
    remember_version(event)

    def build() -> bytes:
        return agenda_feed_body(event)

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

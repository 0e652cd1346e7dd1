"""The schedule exports that conference apps read: frab XML and JSON, and xCal.

Served like the calendar feeds (``agenda.feeds``): the body is built once per version of the
event (``updated_at``, moved by ``agenda.signals`` on any change to the agenda) and language,
kept in the ``pages`` cache with a gzip copy, and a client holding the current ETag gets a 304
after one query. Only published events have exports: a postponed or cancelled event's old
times would read as a programme in an app that shows no status.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import feeds, frab, xcal
from .enums import EventStatus
from .models import Event, Session
from .selectors import event_sessions, public_event

# Part of every version: raise it when an export's layout changes, so cached copies are dropped.
FORMAT = 1


@dataclass(frozen=True)
class Export:
    name: str
    content_type: str
    build: Callable[[Event, list[Session]], bytes]


EXPORTS = {
    "xml": Export("xml", "application/xml; charset=utf-8", frab.schedule_xml),
    "json": Export("json", "application/json", frab.schedule_json),
    "xcal": Export("xcal", "application/calendar+xml; charset=utf-8", xcal.agenda_xcal),
}


def published_event(*, slug: str) -> Event:
    event = public_event(slug=slug)
    if event.status != EventStatus.PUBLISHED:
        raise Http404
    return event


def serve_export(request: HttpRequest, *, slug: str, export: Export) -> HttpResponse:
    event = published_event(slug=slug)
    version = f"schedule-{export.name}:{FORMAT}:{event.pk}:{event.updated_at.timestamp()}"
    digest, etag = feeds.feed_etag(version, get_language())
    modified = int(event.updated_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        gzipped = feeds.accepts_gzip(request)
        body = feeds.cached_body(digest, gzipped=gzipped)
        if body is None:
            body = export.build(event, event_sessions(event=event))
            compressed = feeds.store_body(digest, body)
            if gzipped:
                body = compressed
        response = HttpResponse(body, content_type=export.content_type)
        response["Content-Disposition"] = f'inline; filename="{event.slug}-schedule.{export.name}"'
        if gzipped:
            response["Content-Encoding"] = "gzip"
    feeds.finish_feed_response(response, etag=etag, modified=modified, public=True)
    # Public data, read by apps and schedule viewers on other sites; no credentials involved.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def schedule_xml(request: HttpRequest, slug: str) -> HttpResponse:
    """``/events/<slug>/schedule.xml``: frab-compatible schedule XML."""
    return serve_export(request, slug=slug, export=EXPORTS["xml"])


@require_safe
def schedule_json(request: HttpRequest, slug: str) -> HttpResponse:
    """``/events/<slug>/schedule.json``: frab-compatible schedule JSON, as pretalx writes it."""
    return serve_export(request, slug=slug, export=EXPORTS["json"])


@require_safe
def schedule_xcal(request: HttpRequest, slug: str) -> HttpResponse:
    """``/events/<slug>/schedule.xcal``: the agenda in xCal (RFC 6321)."""
    return serve_export(request, slug=slug, export=EXPORTS["xcal"])

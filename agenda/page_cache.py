"""The event page and its agenda feed served from their caches before the rest of the middleware
stack.

Each rendered event page is kept in the per-process ``pages`` cache under a key made of the
event's version (``updated_at``), the language and the registration window. The view also records
that version in the shared cache (``default``: Redis in production) under the event's slug, and
``agenda.signals`` forgets it whenever the event or anything on its page changes. With both at
hand, ``EventPageCacheMiddleware`` answers a repeat visit without a database query, URL
resolution, sessions or CSRF; without them (first visit, after a change, after
``VERSION_SECONDS``) the request goes through the view as usual, which renders or finds the page
and records the version again.

The agenda feed (``/events/<slug>/calendar.ics``, ``agenda.feeds``) works the same way from the
same recorded version: its ETag is computed from it, so a client holding the current feed gets a
304 and anyone else the cached bytes (gzip where accepted), all without a query.

Neither carries anything per visitor (no user, no CSRF token, no messages), which is what makes
serving one copy to everyone right.
"""

import re
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers

from .enums import EventStatus, RegistrationWindow

PAGE_SECONDS = 6 * 3600
# A version not forgotten by a signal (a change made outside the ORM) is trusted this long.
VERSION_SECONDS = 60
EVENT_PATH = re.compile(r"^/events/([-a-zA-Z0-9_]+)/$")
FEED_PATH = re.compile(r"^/events/([-a-zA-Z0-9_]+)/calendar\.ics$")


def version_key(slug: str) -> str:
    return f"event-page-version:{slug}"


def page_key(*, event_id: int, stamp: float, language: str, window: str) -> str:
    return f"event:{event_id}:{stamp}:{language}:{window}"


def registration_window(version: dict, now: datetime) -> str:
    """The same answer as ``Event.registration_window``, from the recorded version."""
    if version["status"] != EventStatus.PUBLISHED or version["opens"] is None:
        return RegistrationWindow.NOT_OFFERED
    if now < version["opens"]:
        return RegistrationWindow.NOT_YET_OPEN
    closes = version["closes"] or version["start"]
    if now >= closes or now >= version["end"]:
        return RegistrationWindow.CLOSED
    return RegistrationWindow.OPEN


def remember_version(event) -> None:
    caches["default"].set(
        version_key(event.slug),
        {
            "id": event.pk,
            "slug": event.slug,
            "stamp": event.updated_at.timestamp(),
            "updated_at": event.updated_at,
            "status": event.status,
            "opens": event.registration_opens,
            "closes": event.registration_closes,
            "start": event.start,
            "end": event.end,
        },
        VERSION_SECONDS,
    )


def forget_versions(slugs) -> None:
    caches["default"].delete_many([version_key(slug) for slug in slugs])


def page_response(body: bytes, language: str) -> HttpResponse:
    response = HttpResponse(body)
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


class EventPageCacheMiddleware:
    """Place right after WhiteNoise: what it answers skips everything below it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.GET:
            page = EVENT_PATH.match(request.path_info)
            feed = None if page else FEED_PATH.match(request.path_info)
            match = page or feed
            version = caches["default"].get(version_key(match.group(1))) if match else None
            if version is not None:
                language = translation.get_language_from_request(request)
                response = (
                    self.page(version, language) if page else self.feed(request, version, language)
                )
                if response is not None:
                    # What the middleware below would have added (CommonMiddleware the length,
                    # without which gunicorn sends the body in chunks).
                    response.setdefault("Content-Length", str(len(response.content)))
                    response.setdefault(
                        "X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY")
                    )
                    return response
        return self.get_response(request)

    @staticmethod
    def page(version: dict, language: str) -> HttpResponse | None:
        key = page_key(
            event_id=version["id"],
            stamp=version["stamp"],
            language=language,
            window=registration_window(version, timezone.now()),
        )
        body = caches["pages"].get(key)
        return None if body is None else page_response(body, language)

    @staticmethod
    def feed(request: HttpRequest, version: dict, language: str) -> HttpResponse | None:
        from . import feeds  # feeds records versions through this module

        digest, etag = feeds.feed_etag(
            feeds.agenda_version(event_id=version["id"], stamp=version["stamp"]), language
        )
        modified = int(version["updated_at"].timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None:
            gzipped = feeds.accepts_gzip(request)
            body = feeds.cached_body(digest, gzipped=gzipped)
            if body is None:
                return None
            response = feeds.feed_response(
                body,
                etag=etag,
                modified=modified,
                filename=f"{version['slug']}.ics",
                gzipped=gzipped,
                public=True,
            )
        else:
            feeds.finish_feed_response(response, etag=etag, modified=modified, public=True)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

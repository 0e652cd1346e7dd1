from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .markdown import render_markdown
from .models import Document
from .page_cache import PAGE_SECONDS, page_key, page_response, remember_version
from .selectors import (
    agenda_days,
    event_sessions,
    event_speakers,
    public_event,
    public_session,
    public_speaker,
    upcoming_and_past_events,
)


def _with_sizes(documents: list[Document]) -> list[Document]:
    """Sets ``size_bytes`` on each document, None when its file is missing from storage.

    A file removed behind the site's back must not take the whole event page down.
    """
    for document in documents:
        try:
            document.size_bytes = document.file.size
        except OSError:
            document.size_bytes = None
    return documents


def home(request: HttpRequest) -> HttpResponse:
    upcoming, past = upcoming_and_past_events()
    return render(request, "agenda/home.html", {"upcoming": upcoming, "past": past})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The event page. Its HTML is cached per event version, language and registration window.

    The key carries ``updated_at``, which every change to what the page shows moves on
    (``agenda.signals``), so one query decides whether a cached copy is still right; repeat
    visits are then answered by ``agenda.page_cache.EventPageCacheMiddleware`` without it.
    """
    event = public_event(slug=slug)
    window = event.registration_window()
    language = get_language()
    key = page_key(
        event_id=event.pk, stamp=event.updated_at.timestamp(), language=language, window=window
    )
    cache = caches["pages"]
    body = cache.get(key)
    if body is None:
        sessions = event_sessions(event=event)
        context = {
            "event": event,
            "registration_window": window,
            "description_html": render_markdown(event.description),
            "days": agenda_days(event=event, sessions=sessions),
            "tracks": list(event.tracks.all()),
            "speakers": event_speakers(sessions=sessions),
            "documents": _with_sizes(list(event.documents.all())),
            "photos": list(event.photos.all()),
        }
        # Stored encoded: a cache hit then neither decodes nor re-encodes the 100 kB page.
        body = render_to_string("agenda/event_detail.html", context, request=request).encode()
        cache.set(key, body, PAGE_SECONDS)
    remember_version(event)
    return page_response(body, language)


def session_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session = public_session(slug=slug, pk=pk)
    return render(
        request,
        "agenda/session_detail.html",
        {
            "event": session.event,
            "session": session,
            "abstract_html": render_markdown(session.abstract),
        },
    )


def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker, appearances = public_speaker(slug=slug)
    return render(
        request,
        "agenda/speaker_detail.html",
        {"speaker": speaker, "appearances": appearances, "bio_html": render_markdown(speaker.bio)},
    )

"""What the organisers' admin pages share: the event's time zone and speaker-clash warnings."""

import zoneinfo
from collections.abc import Iterable
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ..models import Event, Session, Speaker
from ..selectors import speaker_conflicts


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def render_in_zone(zone: zoneinfo.ZoneInfo | None, view, *args, **kwargs) -> HttpResponse:
    """Runs an admin view with ``zone`` active, rendering its template before the zone ends."""
    if zone is None:
        return view(*args, **kwargs)
    with timezone.override(zone):
        response = view(*args, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            response.render()
    return response


def local_time(event: Event, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(event.local(moment), "SHORT_DATETIME_FORMAT")


def warn_speaker_conflicts(
    request: HttpRequest, sessions: Iterable[Session], *, speaker: Speaker | None = None
) -> None:
    """Warns, once per pair, about speakers of ``sessions`` who are elsewhere at the same time.

    A clash is allowed (a speaker may leave a panel early) but rarely intended, so it is a
    warning and the change is saved. ``speaker`` limits the warnings to one speaker.
    """
    seen: set[tuple[int, frozenset[int]]] = set()
    for session in sessions:
        for clashing, other in speaker_conflicts(session=session):
            if speaker is not None and clashing.pk != speaker.pk:
                continue
            pair = (clashing.pk, frozenset((session.pk, other.pk)))
            if pair in seen:
                continue
            seen.add(pair)
            messages.warning(
                request,
                _(
                    "%(speaker)s is in two places at once: “%(session)s” overlaps "
                    "“%(other)s” (%(event)s, %(start)s)."
                )
                % {
                    "speaker": clashing.name,
                    "session": session.title,
                    "other": other.title,
                    "event": other.event.title,
                    "start": local_time(other.event, other.start),
                },
            )


class EventZoneMixin:
    """Change pages whose times are in the zone of an event."""

    def event_zone(self, request: HttpRequest, object_id: str | None) -> zoneinfo.ZoneInfo | None:
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.event_zone(request, object_id)
        return render_in_zone(
            zone, super().changeform_view, request, object_id, form_url, extra_context
        )

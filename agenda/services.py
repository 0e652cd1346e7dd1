"""Writes to events and their agenda that go beyond saving one form."""

from datetime import datetime

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import EventStatus
from .exceptions import ScheduleClash, SlugTaken
from .models import Event, Session, SessionSpeaker, Track


def _wall_clock_shift(moment: datetime, *, event: Event, new_event_start: datetime) -> datetime:
    """``moment`` moved by the wall-clock distance between the old and the new event start.

    The distance is measured on naive local times in the event's zone and the result localised
    again, so 09:00 stays 09:00 even when a daylight-saving change lies in between.
    """
    zone = event.tzinfo
    old_start = event.local(event.start).replace(tzinfo=None)
    new_start = new_event_start.astimezone(zone).replace(tzinfo=None)
    local = event.local(moment).replace(tzinfo=None)
    return (local + (new_start - old_start)).replace(tzinfo=zone)


def _slug_taken(slug: str) -> SlugTaken:
    return SlugTaken(
        _("An event with the address “%(slug)s” exists already; choose another.") % {"slug": slug},
        field="slug",
    )


def duplicate_event(
    *, event: Event, title: str, slug: str, start: datetime, actor: AbstractBaseUser
) -> Event:
    """Start the next edition of ``event``: a draft copy that begins at ``start``.

    Saves, in one transaction: a new ``Event`` in draft with the original's kind, format, time
    zone, venue, capacities, audience, theme, summary and description; a copy of each track; a
    copy of each session (room, track, capacity and sign-up kept) moved so that it keeps its
    local wall-clock time in the event's zone; one ``SessionSpeaker`` per appearance, pointing to
    the same ``Speaker`` rows with the same roles; and an admin ``LogEntry`` (addition) by
    ``actor``. Not copied: documents, photos, the online meeting link and the registration
    opening and closing times, which belong to one edition. The original is not changed.

    Raises ``SlugTaken`` when ``slug`` is in use and ``ScheduleClash`` when a copied session
    would double-book a room; nothing is saved then. Takes no locks and queues nothing.
    """
    if Event.objects.filter(slug=slug).exists():
        raise _slug_taken(slug)

    def shift(moment: datetime) -> datetime:
        return _wall_clock_shift(moment, event=event, new_event_start=start)

    with transaction.atomic():
        copy = Event(
            slug=slug,
            title=title,
            theme=event.theme,
            kind=event.kind,
            format=event.format,
            timezone=event.timezone,
            start=shift(event.start),
            end=shift(event.end),
            venue_id=event.venue_id,
            online_url="",
            capacity_in_person=event.capacity_in_person,
            capacity_online=event.capacity_online,
            registration_opens=None,
            registration_closes=None,
            audience=event.audience,
            status=EventStatus.DRAFT,
            summary=event.summary,
            description=event.description,
            retention_days=event.retention_days,
            special_category_days=event.special_category_days,
        )
        try:
            # A concurrent duplicate may take the slug between the check above and this insert.
            with transaction.atomic():
                copy.save()
        except IntegrityError:
            raise _slug_taken(slug) from None

        tracks = {}
        for track in event.tracks.order_by("pk"):
            tracks[track.pk] = Track.objects.create(
                event=copy, name=track.name, colour=track.colour, position=track.position
            )

        for session in event.sessions.order_by("start", "pk").prefetch_related("appearances"):
            new_session = Session(
                event=copy,
                title=session.title,
                abstract=session.abstract,
                kind=session.kind,
                track=tracks.get(session.track_id),
                room_id=session.room_id,
                start=shift(session.start),
                end=shift(session.end),
                capacity=session.capacity,
                requires_signup=session.requires_signup,
            )
            try:
                new_session.clean()
            except ValidationError as error:
                raise ScheduleClash(
                    _("“%(session)s” cannot be copied to the new date: %(reason)s")
                    % {"session": session.title, "reason": " ".join(error.messages)},
                    field="start",
                ) from None
            new_session.save()
            SessionSpeaker.objects.bulk_create(
                SessionSpeaker(
                    session=new_session,
                    speaker_id=appearance.speaker_id,
                    role=appearance.role,
                    position=appearance.position,
                )
                for appearance in session.appearances.all()
            )

        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[copy],
            action_flag=ADDITION,
            change_message=gettext("Duplicated from “%(title)s” (%(slug)s).")
            % {"title": event.title, "slug": event.slug},
            single_object=True,
        )
    return copy

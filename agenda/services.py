"""Writes to events and their agenda that go beyond saving one form, and organisers' API tokens."""

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import EventStatus
from .exceptions import ApiTokenRefused, ApiTokenRevoked, ScheduleClash, SlugTaken
from .models import ApiToken, Event, Session, SessionSpeaker, Track

logger = logging.getLogger(__name__)


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


# --- organisers' API tokens ----------------------------------------------------------------------

# How often a token's "last used" is written at most: not one write per request.
TOKEN_TOUCH_SECONDS = 60


def check_api_token(
    *, events: Iterable[Event], all_events: bool, expires_at: datetime | None
) -> None:
    """Refuses a token that would reach no event, or that has expired already."""
    if not all_events and not list(events):
        raise ApiTokenRefused(
            _("Choose the events the token may reach, or let it reach all events."),
            field="events",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenRefused(_("The expiry date must lie in the future."), field="expires_at")


def set_api_token_key(*, token: ApiToken) -> str:
    """Gives a token (new or existing) a fresh key, returned here once and never kept; the old
    key stops working at once. Saves: the token with the key's SHA-256 and first characters."""
    key = secrets.token_urlsafe(32)
    token.token_hash = ApiToken.hash_token(key)
    token.token_hint = key[:6]
    if token.pk is None:
        token.save()
    else:
        token.save(update_fields=["token_hash", "token_hint"])
    return key


def issue_api_token(
    *,
    user: AbstractBaseUser,
    name: str,
    events: Iterable[Event],
    all_events: bool = False,
    expires_at: datetime | None = None,
    created_by: AbstractBaseUser | None = None,
) -> tuple[ApiToken, str]:
    """A new API token acting for ``user`` at ``events`` (or every event, with ``all_events``),
    and its key, which is returned here once and never kept.

    The token gives no permission of its own: a request with it has ``user``'s permissions,
    limited to the token's events. Saves, in one transaction: the token with the key's SHA-256,
    its events, and an admin log entry (addition) by ``created_by`` when given. Takes no locks.
    Raises ``ApiTokenRefused`` for a token without events or already expired.
    """
    events = list(events)
    check_api_token(events=events, all_events=all_events, expires_at=expires_at)
    creator = created_by if created_by is not None and created_by.is_authenticated else None
    with transaction.atomic():
        token = ApiToken(
            user=user,
            name=name,
            all_events=all_events,
            expires_at=expires_at,
            created_by=creator,
        )
        key = set_api_token_key(token=token)
        token.events.set(events)
        if creator is not None:
            LogEntry.objects.log_actions(
                user_id=creator.pk,
                queryset=[token],
                action_flag=ADDITION,
                change_message=gettext("Issued."),
                single_object=True,
            )
    logger.info("API token %s issued for user %s", token.pk, user.pk)
    return token, key


def revoke_api_token(*, token: ApiToken, actor: AbstractBaseUser | None) -> ApiToken:
    """Stops the token from working at once; the row stays, for the record.

    Saves, in one transaction: ``revoked_at``, and an admin log entry (change) by ``actor``
    when given. Locks: the token's row. Raises ``ApiTokenRevoked`` if it was revoked already.
    """
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is not None:
            raise ApiTokenRevoked(_("This API token has already been revoked."))
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        if actor is not None and actor.is_authenticated:
            LogEntry.objects.log_actions(
                user_id=actor.pk,
                queryset=[current],
                action_flag=CHANGE,
                change_message=gettext("Revoked."),
                single_object=True,
            )
    token.revoked_at = current.revoked_at
    logger.info("API token %s revoked by %s", current.pk, getattr(actor, "pk", None) or "system")
    return current


def touch_api_token(*, token: ApiToken, now: datetime | None = None) -> None:
    """Notes that the token is in use, at most once a minute (not one write per request)."""
    now = now or timezone.now()
    if (
        token.last_used_at is not None
        and (now - token.last_used_at).total_seconds() < TOKEN_TOUCH_SECONDS
    ):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now

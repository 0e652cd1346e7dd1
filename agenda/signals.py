"""Keep ``Event.updated_at`` current when anything shown on the event's page changes, and tell
other apps when an event's calendar entry changes.

The rendered event page and the calendar feeds are cached under keys that carry ``updated_at``;
those receivers are cache invalidation, not business rules.

``event_schedule_changed`` and ``event_cancelled`` are sent, inside the saving transaction, when a
save changes what attendees hold in their calendars: time, venue, format, join link or status.
The save raises ``Event.ical_sequence`` first, so calendar files made by receivers carry the new
SEQUENCE. Apps above agenda (registrations) react to them; agenda knows nothing of attendees.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django.utils import timezone

from members.models import Organisation

from .enums import EventStatus
from .ical import ical_status
from .models import Document, Event, Photo, Room, Session, SessionSpeaker, Speaker, Track, Venue
from .page_cache import forget_versions

# Sent with ``event`` (saved, with its raised ``ical_sequence``) and ``changed`` (field names).
event_schedule_changed = Signal()
# Sent with ``event`` when a save cancels it.
event_cancelled = Signal()

# What an attendee's calendar entry is made of; a change to any of them is a new revision.
CALENDAR_FIELDS = ("start", "end", "venue_id", "format", "online_url", "status")


def touch_events(events) -> None:
    touched = Event.objects.filter(pk__in=events.values("pk"))
    forget_versions(touched.values_list("slug", flat=True))
    touched.update(updated_at=timezone.now())


@receiver(pre_save, sender=Event)
def _event_saving(sender, instance, raw=False, **kwargs) -> None:
    # The page cache's record of this event, under its slug before the save (it may change).
    if instance.pk is not None and not raw:
        forget_versions(Event.objects.filter(pk=instance.pk).values_list("slug", flat=True))


@receiver([post_save, post_delete], sender=Event)
def _event_changed(sender, instance, **kwargs) -> None:
    forget_versions([instance.slug])


@receiver([post_save, post_delete], sender=Session)
@receiver([post_save, post_delete], sender=Track)
@receiver([post_save, post_delete], sender=Document)
@receiver([post_save, post_delete], sender=Photo)
def _event_part_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(pk=instance.event_id))


@receiver([post_save, post_delete], sender=SessionSpeaker)
def _appearance_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(sessions__pk=instance.session_id))


@receiver(post_save, sender=Speaker)
def _speaker_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(sessions__appearances__speaker=instance))


@receiver(post_save, sender=Venue)
def _venue_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(venue=instance))


@receiver(post_save, sender=Room)
def _room_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(sessions__room=instance))


@receiver(post_save, sender=Organisation)
def _organisation_changed(sender, instance, **kwargs) -> None:
    touch_events(Event.objects.filter(sessions__appearances__speaker__organisation=instance))


def _calendar_value(field: str, value):
    # Draft and published both read CONFIRMED: publishing is no change to the entry.
    return ical_status(value) if field == "status" else value


@receiver(pre_save, sender=Event)
def _raise_calendar_sequence(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    """Compares the saved row with what is about to be saved; a real change raises SEQUENCE."""
    instance._calendar_changes = []
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = CALENDAR_FIELDS
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        fields = tuple(f for f in fields if f in update_fields or f[:-3] in update_fields)
    if not fields:
        return
    before = Event.objects.filter(pk=instance.pk).values(*fields, "ical_sequence").first()
    if before is None:
        return
    changed = [
        field
        for field in fields
        if _calendar_value(field, before[field]) != _calendar_value(field, getattr(instance, field))
    ]
    if changed:
        instance.ical_sequence = before["ical_sequence"] + 1
        instance._calendar_changes = changed


@receiver(post_save, sender=Event)
def _announce_calendar_change(
    sender, instance: Event, created: bool, raw: bool = False, **kwargs
) -> None:
    changed = instance.__dict__.pop("_calendar_changes", [])
    if raw or created or not changed:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "ical_sequence" not in update_fields:
        Event.objects.filter(pk=instance.pk).update(ical_sequence=F("ical_sequence") + 1)
    if instance.status == EventStatus.CANCELLED:
        if "status" in changed:
            event_cancelled.send(sender=Event, event=instance)
        return
    if instance.is_public:
        event_schedule_changed.send(sender=Event, event=instance, changed=changed)

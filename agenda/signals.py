"""Keep ``Event.updated_at`` current when anything shown on the event's page changes.

The rendered event page is cached under a key that carries ``updated_at``; these receivers are
cache invalidation, not business rules.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from members.models import Organisation

from .models import Document, Event, Photo, Room, Session, SessionSpeaker, Speaker, Track, Venue


def touch_events(events) -> None:
    Event.objects.filter(pk__in=events.values("pk")).update(updated_at=timezone.now())


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
    touch_events(
        Event.objects.filter(sessions__appearances__speaker__organisation=instance)
    )

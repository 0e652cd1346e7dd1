"""Registrations reacting to changes in the agenda, which knows nothing of them.

When organisers raise an event's capacity, the seats it frees go to the waitlist at once. The
agenda app cannot call registrations (apps depend one way), so every save of a published event
asks ``fill_free_seats`` to run after the commit; it promotes only when seats are free.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from agenda.enums import EventStatus
from agenda.models import Event
from eventsite.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def fill_seats_after_commit(event_id: int) -> None:
    from .services import fill_free_seats

    event = Event.objects.filter(pk=event_id, status=EventStatus.PUBLISHED).first()
    if event is None:
        return
    try:
        fill_free_seats(event=event)
    except ApplicationError:
        # The event's lock was busy: the save itself succeeded; the next save or cancellation
        # gives the seats out.
        logger.warning("Could not fill free seats of event %s", event_id, exc_info=True)


def event_saved(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or created or instance.status != EventStatus.PUBLISHED:
        return
    event_id = instance.pk
    transaction.on_commit(lambda: fill_seats_after_commit(event_id))


def connect() -> None:
    post_save.connect(event_saved, sender=Event, dispatch_uid="registrations.fill_free_seats")

"""Registrations reacting to changes in the agenda, which knows nothing of them.

When organisers raise an event's capacity, the seats it frees go to the waitlist at once. The
agenda app cannot call registrations (apps depend one way), so every save of a published event
asks ``fill_free_seats`` to run after the commit; it promotes only when seats are free.

When a save changes the event's calendar entry (``agenda.signals.event_schedule_changed`` and
``event_cancelled``), confirmed attendees get the updated invitation or its cancellation. The
emails are written in the saving transaction, so they exist if and only if the change does.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal

from agenda.enums import EventStatus
from agenda.models import Event
from agenda.signals import event_cancelled, event_schedule_changed
from eventsite.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# Sent by ``services._audit`` inside the changing transaction, once per audit entry (creation
# included), with ``registration``, ``action`` (the audit entry's), ``from_status`` and
# ``to_status``. Apps above registrations (webhooks) react to it; receivers must stay cheap.
registration_changed = Signal()
# A receiver of ``registration_changed`` that acts only now and then (webhooks: when one wants
# the event's registrations) may say beforehand, so that the registration fast path
# (``fastpath``) need not build what the signal carries for nobody:
# ``registration_changed_quiet[dispatch_uid] = test``, for the receiver connected with that
# ``dispatch_uid``, where ``test(event_id, action)`` says without a query whether it would do
# nothing for that audit action at that event. The fast path leaves the signal unsent only when
# every receiver has such a test and each says so.
registration_changed_quiet: dict[str, Callable[[int, str], bool]] = {}


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


def event_schedule_changed_receiver(sender, event: Event, **kwargs) -> None:
    from .services import send_calendar_updates

    send_calendar_updates(event=event)


def event_cancelled_receiver(sender, event: Event, **kwargs) -> None:
    from .services import send_calendar_cancellations

    send_calendar_cancellations(event=event)


def connect() -> None:
    post_save.connect(event_saved, sender=Event, dispatch_uid="registrations.fill_free_seats")
    event_schedule_changed.connect(
        event_schedule_changed_receiver, dispatch_uid="registrations.calendar_updates"
    )
    event_cancelled.connect(
        event_cancelled_receiver, dispatch_uid="registrations.calendar_cancellations"
    )

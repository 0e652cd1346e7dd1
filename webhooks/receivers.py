"""Webhooks reacting to registrations and the door, which know nothing of them.

The receivers run inside the changing transaction, so deliveries exist if and only if the
change does. Without a webhook wanting the change they cost one cache read (``routing``).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from agenda.models import Event
from badges.models import CheckIn
from badges.signals import checkin_recorded, checkin_recorded_quiet, checkin_undone
from registrations.models import Registration
from registrations.signals import registration_changed, registration_changed_quiet

from . import routing
from .enums import WebhookEventType
from .models import Webhook
from .services import record

# Audit actions that change nothing an organiser's system holds: the attendee's new personal
# link, calendar files sent again.
QUIET_ACTIONS = frozenset({"link_renewed", "calendar_updated", "calendar_cancelled"})
CREATED_ACTIONS = frozenset({"registered"})


def _event(event_id: int, loaded: Event | None = None):
    from .payloads import event_part

    event = loaded if loaded is not None else Event.objects.only("slug", "title").get(pk=event_id)
    return event_part(event)


def _registration_event_type(action: str) -> WebhookEventType:
    return (
        WebhookEventType.REGISTRATION_CREATED
        if action in CREATED_ACTIONS
        else WebhookEventType.REGISTRATION_CHANGED
    )


def registration_changed_receiver(
    sender, registration: Registration, action: str, from_status: str, to_status: str, **kwargs
) -> None:
    if action in QUIET_ACTIONS:
        return
    event_type = _registration_event_type(action)

    def build() -> dict:
        from .payloads import registration_data

        loaded = registration.event if Registration.event.is_cached(registration) else None
        return {
            "event": _event(registration.event_id, loaded),
            "data": registration_data(
                registration, action=action, from_status=from_status, to_status=to_status
            ),
        }

    record(event_id=registration.event_id, event_type=event_type.value, build=build)


def _checkin_receiver(event_type: str):
    def receiver(sender, checkin: CheckIn, **kwargs) -> None:
        def build() -> dict:
            from .payloads import checkin_data

            return {"event": _event(checkin.event_id), "data": checkin_data(checkin)}

        record(event_id=checkin.event_id, event_type=event_type, build=build)

    return receiver


checkin_recorded_receiver = _checkin_receiver(WebhookEventType.CHECKIN_CREATED.value)
checkin_undone_receiver = _checkin_receiver(WebhookEventType.CHECKIN_UNDONE.value)


def _no_webhook_wants_registration(event_id: int, action: str) -> bool:
    return action in QUIET_ACTIONS or not routing.targets(
        event_id=event_id, event_type=_registration_event_type(action).value
    )


def _no_webhook_wants_checkins(event_id: int) -> bool:
    return not routing.targets(event_id=event_id, event_type=WebhookEventType.CHECKIN_CREATED.value)


def webhook_changed(sender, **kwargs) -> None:
    routing.forget()


def connect() -> None:
    registration_changed.connect(
        registration_changed_receiver, dispatch_uid="webhooks.registration_changed"
    )
    registration_changed_quiet["webhooks.registration_changed"] = _no_webhook_wants_registration
    checkin_recorded.connect(checkin_recorded_receiver, dispatch_uid="webhooks.checkin_recorded")
    checkin_recorded_quiet["webhooks.checkin_recorded"] = _no_webhook_wants_checkins
    checkin_undone.connect(checkin_undone_receiver, dispatch_uid="webhooks.checkin_undone")
    post_save.connect(webhook_changed, sender=Webhook, dispatch_uid="webhooks.routes_saved")
    post_delete.connect(webhook_changed, sender=Webhook, dispatch_uid="webhooks.routes_deleted")
    m2m_changed.connect(
        webhook_changed, sender=Webhook.events.through, dispatch_uid="webhooks.routes_events"
    )

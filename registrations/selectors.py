from dataclasses import dataclass

from django.db.models import QuerySet

from .capacity import waitlist_position
from .models import Registration, SessionPick


@dataclass
class RegistrationSummary:
    status: str
    status_label: str
    mode_label: str
    waitlist_position: int | None
    picks: list[SessionPick]


def registration_summary(registration: Registration) -> RegistrationSummary:
    return RegistrationSummary(
        status=registration.status,
        status_label=str(registration.get_status_display()),
        mode_label=str(registration.get_mode_display()),
        waitlist_position=waitlist_position(registration),
        picks=list(
            registration.session_picks.select_related("session__room").order_by("session__start")
        ),
    )


def registration_by_token(*, token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return (
        Registration.objects.select_related("event__venue", "person__organisation")
        .filter(token=token)
        .first()
    )


def registrations_of_event(*, event_id: int) -> QuerySet[Registration]:
    return Registration.objects.filter(event_id=event_id).select_related(
        "person__organisation", "event"
    )

"""What a webhook receives about a registration or a check-in.

An organiser's system gets what the organiser API shows an organiser without the
special-category permission: never accessibility or dietary needs, never answers to sensitive
questions, never the attendee's personal link, a badge code or a device token.
"""

from typing import Any

from agenda.models import Event
from badges.models import CheckIn
from registrations.models import Answer, Registration


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def event_part(event: Event) -> dict[str, Any]:
    return {"slug": event.slug, "title": event.title}


def registration_data(
    registration: Registration, *, action: str, from_status: str, to_status: str
) -> dict[str, Any]:
    person = registration.person
    organisation = person.organisation
    answers = (
        Answer.objects.filter(registration=registration, question__sensitive=False)
        .select_related("question")
        .order_by("question__position", "question_id")
    )
    return {
        "id": registration.pk,
        "status": registration.status,
        "mode": registration.mode,
        "action": action,
        "from_status": from_status or None,
        "to_status": to_status or None,
        "created_at": _time(registration.created_at),
        "updated_at": _time(registration.updated_at),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "organisation": {
            "name": organisation.name,
            "type": organisation.type,
            "country": organisation.country.code if organisation.country else None,
        }
        if organisation is not None
        else None,
        "answers": [
            {
                "question_id": answer.question_id,
                "question": answer.question.label,
                "value": answer.value,
            }
            for answer in answers
        ],
    }


def checkin_data(checkin: CheckIn) -> dict[str, Any]:
    device = checkin.device if checkin.device_id else None
    return {
        "id": checkin.pk,
        "registration_id": checkin.registration_id,
        "session_id": checkin.session_id,
        "at": _time(checkin.at),
        "device": device.name if device is not None else None,
        "offline": checkin.offline,
        "undone_at": _time(checkin.undone_at),
    }

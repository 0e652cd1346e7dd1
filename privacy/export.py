"""Everything held about one person, for their right of access and to data portability.

``export_person`` gathers it as plain data (JSON: machine-readable, the portable copy);
``render_export_html`` makes the same data readable in a browser. Both cover every event.

Only the person's own data goes in: who else acted on their registration (an organiser's name,
a scanner's name) is left out, and secrets that open their pages (personal link, calendar
address, badge code, survey link) are named but not copied, since they work as keys.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from agenda.models import SessionSpeaker, Speaker
from badges.models import Badge, CheckIn
from members.models import Person
from registrations.exports import answer_text
from registrations.models import Answer, AuditEntry, Invitation, OutboxEmail, Registration
from reports.models import AttendanceMark, OnlineJoin, SurveyAnswer, SurveyResponse

from .models import DataRequest

FORMAT = "eventsite-personal-data"
VERSION = 1


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _label(choices_value, display) -> dict[str, str]:
    return {"value": choices_value, "label": str(display)}


def _person(person: Person) -> dict[str, Any]:
    organisation = person.organisation
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "job_title": person.job_title,
        "country": person.country.code or None,
        "organisation": None
        if organisation is None
        else {
            "name": organisation.name,
            "type": _label(organisation.type, organisation.get_type_display()),
            "country": organisation.country.code,
        },
        "has_user_account": person.user_id is not None,
        "has_personal_calendar_address": True,
        "record_created_at": _when(person.created_at),
    }


def _registrations(person: Person) -> list[dict[str, Any]]:
    registrations = (
        Registration.objects.filter(person=person)
        .select_related("event", "privacy_notice")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            "session_picks__session",
            Prefetch("audit_entries", queryset=AuditEntry.objects.order_by("at", "pk")),
            Prefetch("emails", queryset=OutboxEmail.objects.order_by("created_at", "pk")),
            Prefetch("badges", queryset=Badge.objects.order_by("issued_at", "pk")),
            Prefetch(
                "checkins",
                queryset=CheckIn.objects.select_related("session").order_by("at", "pk"),
            ),
            Prefetch(
                "online_joins",
                queryset=OnlineJoin.objects.select_related("session").order_by("joined_at"),
            ),
            Prefetch(
                "attendance_marks",
                queryset=AttendanceMark.objects.select_related("session").order_by("pk"),
            ),
            Prefetch(
                "survey_responses",
                queryset=SurveyResponse.objects.prefetch_related(
                    Prefetch(
                        "answers",
                        queryset=SurveyAnswer.objects.select_related(
                            "question", "session"
                        ).order_by("question__position", "pk"),
                    )
                ),
            ),
        )
        .order_by("event__start", "pk")
    )
    out = []
    for registration in registrations:
        event = registration.event
        notice = registration.privacy_notice
        out.append(
            {
                "event": {
                    "title": event.title,
                    "start": _when(event.start),
                    "end": _when(event.end),
                    "address": settings.SITE_URL + event.get_absolute_url(),
                },
                "status": _label(registration.status, registration.get_status_display()),
                "attendance": _label(registration.mode, registration.get_mode_display()),
                "language": registration.language,
                "registered_at": _when(registration.created_at),
                "updated_at": _when(registration.updated_at),
                "privacy_notice": {
                    "version": notice.version,
                    "of": "event" if notice.event_id else "network",
                    "accepted_at": _when(registration.privacy_accepted_at),
                },
                "consents": {
                    "photos": registration.photo_consent,
                    "participant_list": registration.participant_list_consent,
                },
                "accessibility_needs": registration.accessibility_needs,
                "dietary_needs": registration.dietary_needs,
                "answers": [
                    {
                        "question": answer.question.label,
                        "answer": answer.value,
                        "as_text": answer_text(answer.value),
                    }
                    for answer in sorted(
                        registration.answers.all(),
                        key=lambda a: (a.question.position, a.question_id),
                    )
                ],
                "sessions_picked": [
                    {
                        "session": pick.session.title,
                        "start": _when(pick.session.start),
                        "status": _label(pick.status, pick.get_status_display()),
                    }
                    for pick in registration.session_picks.all()
                ],
                "history": [
                    {
                        "at": _when(entry.at),
                        "action": entry.action,
                        "from_status": entry.from_status,
                        "to_status": entry.to_status,
                        "reason": entry.reason,
                    }
                    for entry in registration.audit_entries.all()
                ],
                "emails": [
                    {
                        "written_at": _when(email.created_at),
                        "kind": _label(email.kind, email.get_kind_display()),
                        "subject": email.subject,
                        "status": _label(email.status, email.get_status_display()),
                        "sent_at": _when(email.sent_at),
                    }
                    for email in registration.emails.all()
                ],
                "badges": [
                    {
                        "role": _label(badge.role, badge.get_role_display()),
                        "issued_at": _when(badge.issued_at),
                        "revoked_at": _when(badge.revoked_at),
                    }
                    for badge in registration.badges.all()
                ],
                "check_ins": [
                    {
                        "at": _when(checkin.at),
                        "session": checkin.session.title if checkin.session_id else None,
                        "undone_at": _when(checkin.undone_at),
                    }
                    for checkin in registration.checkins.all()
                ],
                "online_joins": [
                    {
                        "at": _when(join.joined_at),
                        "session": join.session.title if join.session_id else None,
                    }
                    for join in registration.online_joins.all()
                ],
                "attendance_marks": [
                    {
                        "session": mark.session.title if mark.session_id else None,
                        "attended": mark.attended,
                        "note": mark.note,
                        "at": _when(mark.marked_at),
                    }
                    for mark in registration.attendance_marks.all()
                ],
                "feedback": [
                    {
                        "invited_at": _when(response.invited_at),
                        "submitted_at": _when(response.submitted_at),
                        "answers": [
                            {
                                "question": answer.question.label,
                                "session": answer.session.title if answer.session_id else None,
                                "rating": answer.rating,
                                "text": answer.text,
                            }
                            for answer in response.answers.all()
                        ],
                    }
                    for response in registration.survey_responses.all()
                ],
            }
        )
    return out


def _speaker_profiles(person: Person) -> list[dict[str, Any]]:
    speakers = (
        Speaker.objects.filter(person=person)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "appearances",
                queryset=SessionSpeaker.objects.select_related("session__event").order_by(
                    "session__start"
                ),
            )
        )
        .order_by("pk")
    )
    return [
        {
            "name": speaker.name,
            "address": settings.SITE_URL + speaker.get_absolute_url(),
            "organisation": speaker.organisation.name if speaker.organisation else None,
            "job_title": speaker.job_title,
            "biography": speaker.bio,
            "has_photo": bool(speaker.photo),
            "sessions": [
                {
                    "event": appearance.session.event.title,
                    "session": appearance.session.title,
                    "start": _when(appearance.session.start),
                    "role": _label(appearance.role, appearance.get_role_display()),
                }
                for appearance in speaker.appearances.all()
            ],
        }
        for speaker in speakers
    ]


def _invitations(email: str) -> list[dict[str, Any]]:
    invitations = (
        Invitation.objects.filter(email__iexact=email).select_related("event").order_by("pk")
    )
    return [
        {
            "event": invitation.event.title,
            "note": invitation.note,
            "uses": invitation.uses,
            "uses_allowed": invitation.max_uses,
            "expires_at": _when(invitation.expires_at),
            "revoked_at": _when(invitation.revoked_at),
            "created_at": _when(invitation.created_at),
        }
        for invitation in invitations
    ]


def _requests(email: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": _label(data_request.kind, data_request.get_kind_display()),
            "status": _label(data_request.status, data_request.get_status_display()),
            "received_at": _when(data_request.created_at),
        }
        for data_request in DataRequest.objects.filter(email__iexact=email).order_by("created_at")
    ]


def export_person(*, person: Person | None, email: str = "") -> dict[str, Any]:
    """Everything held about the person (and under ``email``, e.g. an invitation), as plain data
    that ``json.dumps`` can write. Reads only; a fixed number of queries per kind of data."""
    email = (person.email if person is not None else email).strip().lower()
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "person": _person(person) if person is not None else None,
        "registrations": _registrations(person) if person is not None else [],
        "speaker_profiles": _speaker_profiles(person) if person is not None else [],
        "invitations": _invitations(email) if email else [],
        "data_requests": _requests(email) if email else [],
    }


def render_export_html(data: dict[str, Any]) -> str:
    """The same data as a page to read, self-contained (no images, scripts or style sheets)."""
    return render_to_string("privacy/export.html", {"data": data})

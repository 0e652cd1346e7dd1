"""Anonymising registrations: the one set of rules that retention and erasure both apply.

A registration keeps what the statistics and reports count (event, status, mode, the
organisation and country, session picks, check-ins, online joins, feedback ratings, choice
answers to questions not marked sensitive) and loses everything that says whose it was:

- it moves to a stand-in ``Person`` without a name and with a made-up address, carrying the
  organisation and country of the person it replaces, one stand-in per registration so that
  anonymised registrations cannot be linked to each other;
- its personal link (token) is replaced, so old links and emails lead nowhere;
- needs, free-text answers and every answer to a sensitive question are deleted;
- its audit entries lose their reasons, and the person's own account becomes "attendee";
- its emails keep only kind, status and dates: address, subject, bodies, attachments, the
  context they are rendered from and errors (which quote addresses) are emptied; one still
  waiting is never sent;
- its personal invitation loses address and note and is revoked;
- its badges get a meaningless code and are revoked; the scan log forgets the answer's attendee
  and the code's hash;
- attendance notes are emptied, feedback tokens replaced and feedback texts emptied (the quotes
  organisers chose for the report may be kept);
- the webhook delivery log forgets every delivery about it;
- the admin's change history shows no name for it.

Callers open the transaction and decide what happens to the people left without registrations.
"""

import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from badges.models import Badge, PrintRun, ScanLog
from members.models import Person
from registrations.enums import EmailStatus, QuestionKind
from registrations.models import (
    Answer,
    AuditEntry,
    Invitation,
    OutboxEmail,
    Registration,
    new_token,
)
from reports.models import AttendanceMark, Report, SurveyAnswer, SurveyResponse, new_survey_token
from webhooks.models import WebhookDelivery

ANONYMISED_LABEL = "[anonymised]"
STAND_IN_DOMAIN = "anonymised.invalid"
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
CHUNK = 500


@dataclass
class Counts:
    """How much was removed, for the erasure record: numbers only, never whose."""

    registrations: int = 0
    people: int = 0
    answers: int = 0
    needs: int = 0
    emails: int = 0
    badges: int = 0
    scans: int = 0
    invitations: int = 0
    feedback_texts: int = 0
    webhook_deliveries: int = 0
    files: int = 0
    speakers: int = 0
    accounts: int = 0
    events: int = 0

    def add(self, other: "Counts") -> "Counts":
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {key: value for key, value in asdict(self).items() if value}


def chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stand_in_email() -> str:
    return f"anonymised-{secrets.token_hex(12)}@{STAND_IN_DOMAIN}"


def anonymised_badge_code() -> str:
    # Not shaped like a badge code (badges.codes.CODE_RE), so no scanner can accept it.
    return f"anonymised-{secrets.token_hex(16)}"


def scrub_email_rows(queryset: models.QuerySet[OutboxEmail]) -> int:
    """Empties every personal part of these emails; one still waiting is never sent."""
    queryset.filter(status=EmailStatus.PENDING).update(
        status=EmailStatus.FAILED, next_attempt_at=None
    )
    return queryset.update(
        to="",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        context=None,
        last_error="",
    )


def scrub_admin_history(model: type[models.Model], pks: Iterable[int]) -> None:
    """The admin's change history names objects by ``str()``: a person's name, for instance."""
    content_type = ContentType.objects.get_for_model(model)
    for part in chunks([str(pk) for pk in pks]):
        LogEntry.objects.filter(content_type=content_type, object_id__in=part).update(
            object_repr=ANONYMISED_LABEL
        )


def scrub_scan_responses(queryset: models.QuerySet[ScanLog]) -> int:
    """Removes the attendee from stored scanner answers, and the code's hash."""
    changed = []
    for log in queryset.only("pk", "response", "code_hash").iterator():
        response = dict(log.response or {})
        if response.get("attendee") is None and not log.code_hash:
            continue
        if response.get("attendee") is not None:
            response["attendee"] = None
        log.response, log.code_hash = response, ""
        changed.append(log)
    ScanLog.objects.bulk_update(changed, ["response", "code_hash"], batch_size=CHUNK)
    return len(changed)


def strip_needs_from_scan_responses(queryset: models.QuerySet[ScanLog]) -> int:
    """Removes accessibility needs (and that someone needs assistance) from stored answers."""
    keys = ("accessibility_needs", "needs_assistance")
    having = Q()
    for key in keys:
        having |= Q(response__attendee__has_key=key)
    changed = []
    for log in queryset.filter(having).only("pk", "response").iterator():
        response = dict(log.response)
        attendee = dict(response.get("attendee") or {})
        for key in keys:
            attendee.pop(key, None)
        response["attendee"] = attendee
        log.response = response
        changed.append(log)
    ScanLog.objects.bulk_update(changed, ["response"], batch_size=CHUNK)
    return len(changed)


def delete_files_on_commit(names: list[str]) -> None:
    """Files go once the rows no longer point at them; a rollback keeps both."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


def forget_event_files(*, event_ids: Iterable[int], include_reports: bool) -> int:
    """Deletes badge print runs (names and codes of many people) of these events, and their
    reports when asked: organisers make new ones from the anonymised data."""
    event_ids = list(event_ids)
    names: list[str] = []
    runs = PrintRun.objects.filter(event_id__in=event_ids).exclude(file="")
    names += [name for name in runs.values_list("file", flat=True) if name]
    runs.update(file="")
    if include_reports:
        for report in Report.objects.filter(event_id__in=event_ids):
            parts = [name for name in (report.pdf.name, report.xlsx.name) if name]
            if parts:
                names += parts
                Report.objects.filter(pk=report.pk).update(pdf="", xlsx="")
    delete_files_on_commit(names)
    return len(names)


def anonymise_registrations(
    *, registration_ids: Iterable[int], now: datetime, keep_featured_feedback: bool
) -> tuple[Counts, set[int]]:
    """Anonymises these registrations (those not anonymised yet) under the rules above.

    Call inside a transaction. Returns what was removed and the ids of the people the
    registrations belonged to, whom the caller deletes or keeps.
    Saves: one stand-in person per registration, the registrations, and the rows listed above.
    Queues: deleting nothing (files are the callers' business). Locks: none.
    """
    registrations = list(
        Registration.objects.filter(pk__in=list(registration_ids), anonymised_at__isnull=True)
        .select_related("person")
        .order_by("pk")
    )
    counts = Counts()
    if not registrations:
        return counts, set()
    ids = [registration.pk for registration in registrations]
    people = {registration.person_id: registration.person for registration in registrations}
    own_accounts = [person.user_id for person in people.values() if person.user_id]

    stand_ins = [
        Person(
            first_name="",
            last_name="",
            email=stand_in_email(),
            organisation_id=registration.person.organisation_id,
            country=registration.person.country,
            anonymised_at=now,
        )
        for registration in registrations
    ]
    Person.objects.bulk_create(stand_ins, batch_size=CHUNK)
    if any(stand_in.pk is None for stand_in in stand_ins):  # a database that returns no ids
        emails = [stand_in.email for stand_in in stand_ins]
        by_email = dict(Person.objects.filter(email__in=emails).values_list("email", "pk"))
        for stand_in in stand_ins:
            stand_in.pk = by_email[stand_in.email]
    counts.needs = sum(
        1 for r in registrations if r.accessibility_needs.strip() or r.dietary_needs.strip()
    )
    for registration, stand_in in zip(registrations, stand_ins, strict=True):
        registration.person_id = stand_in.pk
        registration.token = new_token()
        registration.accessibility_needs = ""
        registration.dietary_needs = ""
        registration.participant_list_consent = False
        registration.anonymised_at = now
    Registration.objects.bulk_update(
        registrations,
        [
            "person",
            "token",
            "accessibility_needs",
            "dietary_needs",
            "participant_list_consent",
            "anonymised_at",
        ],
        batch_size=CHUNK,
    )
    counts.registrations = len(registrations)

    counts.answers, _ = (
        Answer.objects.filter(registration_id__in=ids)
        .filter(Q(question__sensitive=True) | Q(question__kind__in=TEXT_KINDS))
        .delete()
    )
    audit = AuditEntry.objects.filter(registration_id__in=ids)
    audit.exclude(reason="").update(reason="")
    if own_accounts:
        audit.filter(actor_id__in=own_accounts).update(actor=None, actor_label="attendee")
    counts.emails = scrub_email_rows(OutboxEmail.objects.filter(registration_id__in=ids))

    personal_invitations = Invitation.objects.filter(registrations__in=ids).filter(
        ~Q(email="") | Q(max_uses=1)
    )
    counts.invitations = (
        Invitation.objects.filter(pk__in=personal_invitations.values("pk"))
        .exclude(email="", note="")
        # Without its address an invitation would admit anyone with the code.
        .update(email="", note="", revoked_at=Coalesce("revoked_at", now))
    )

    badges = list(Badge.objects.filter(registration_id__in=ids).only("pk", "revoked_at"))
    for badge in badges:
        badge.code = anonymised_badge_code()
        badge.revoked_at = badge.revoked_at or now
    Badge.objects.bulk_update(badges, ["code", "revoked_at"], batch_size=CHUNK)
    counts.badges = len(badges)
    counts.scans = scrub_scan_responses(ScanLog.objects.filter(registration_id__in=ids))

    AttendanceMark.objects.filter(registration_id__in=ids).exclude(note="").update(note="")
    responses = list(SurveyResponse.objects.filter(registration_id__in=ids).only("pk"))
    for response in responses:
        response.token = new_survey_token()
    SurveyResponse.objects.bulk_update(responses, ["token"], batch_size=CHUNK)
    texts = SurveyAnswer.objects.filter(response__registration_id__in=ids).exclude(text="")
    if keep_featured_feedback:
        texts = texts.exclude(featured=True)
    counts.feedback_texts = SurveyAnswer.objects.filter(pk__in=texts.values("pk")).update(
        text="", featured=False
    )

    # The delivery log keeps what was sent to organisers' systems, names and addresses included.
    counts.webhook_deliveries, _ = WebhookDelivery.objects.filter(
        Q(event_type__startswith="registration.", payload__data__id__in=ids)
        | Q(event_type__startswith="checkin.", payload__data__registration_id__in=ids)
    ).delete()

    scrub_admin_history(Registration, ids)
    return counts, set(people)


def delete_people(person_ids: Iterable[int]) -> int:
    """Deletes these people and forgets their names in the admin's history.

    Call once nothing protects them any more (their registrations were moved to stand-ins).
    """
    person_ids = list(person_ids)
    if not person_ids:
        return 0
    scrub_admin_history(Person, person_ids)
    people = Person.objects.filter(pk__in=person_ids)
    count = people.count()
    people.delete()
    return count

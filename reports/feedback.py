"""Feedback surveys: the standard questions, the invitations, and saving an attendee's answers.

When an event ends, every attendee who attended it (``selectors``) receives one email inviting
them to its survey, through a personal link: a ``SurveyResponse`` and its token, made with the
invitation. They may answer, come back and change their answers until the survey closes; after
that the page shows their answers and takes no more. Nobody but the organisers, in the admin,
sees anyone's answers.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agenda.enums import EventStatus
from agenda.models import Event, Session
from registrations.emails import queue_email
from registrations.enums import EmailKind
from registrations.models import Registration

from .enums import StandardQuestion, SurveyQuestionKind
from .exceptions import AnswerInvalid, SurveyClosed
from .models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from .selectors import attended_registration_ids, registration_attendance

logger = logging.getLogger(__name__)

RATINGS = (1, 2, 3, 4, 5)
SHORT_TEXT_LIMIT, LONG_TEXT_LIMIT = 300, 5000


@dataclass(frozen=True)
class Standard:
    kind: str
    label: str
    help_text: str
    required: bool = False


# The wording of the standard questions in English, as stored; attendees read the translation
# while organisers leave a question's wording as it is.
STANDARD_QUESTIONS: dict[str, Standard] = {
    StandardQuestion.OVERALL: Standard(
        SurveyQuestionKind.OVERALL_RATING,
        gettext_noop("Overall, how would you rate the event?"),
        gettext_noop("1 is poor, 5 is excellent."),
        required=True,
    ),
    StandardQuestion.SESSIONS: Standard(
        SurveyQuestionKind.SESSION_RATINGS,
        gettext_noop("How would you rate the sessions you attended?"),
        gettext_noop("1 is poor, 5 is excellent. Leave out a session you do not remember."),
    ),
    StandardQuestion.MOST_USEFUL: Standard(
        SurveyQuestionKind.LONG_TEXT,
        gettext_noop("What was most useful to you?"),
        "",
    ),
    StandardQuestion.DO_DIFFERENTLY: Standard(
        SurveyQuestionKind.LONG_TEXT,
        gettext_noop("What will you do differently in your work after this event?"),
        "",
    ),
    StandardQuestion.COMMENTS: Standard(
        SurveyQuestionKind.LONG_TEXT,
        gettext_noop("Anything else you would like to tell the organisers?"),
        "",
    ),
}


def question_label(question: SurveyQuestion) -> str:
    """The question's wording in the active language if it is a standard one left as it was."""
    standard = STANDARD_QUESTIONS.get(question.standard)
    if standard is not None and question.label == standard.label:
        return _(standard.label)
    return question.label


def question_help(question: SurveyQuestion) -> str:
    standard = STANDARD_QUESTIONS.get(question.standard)
    if standard is not None and standard.help_text and question.help_text == standard.help_text:
        return _(standard.help_text)
    return question.help_text


# --- surveys -------------------------------------------------------------------------------------


def add_standard_questions(*, survey: Survey) -> list[SurveyQuestion]:
    """Gives a survey without questions the standard ones. Saves: five questions, or nothing."""
    if survey.questions.exists():
        return []
    return SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            kind=standard.kind,
            label=standard.label,
            help_text=standard.help_text,
            required=standard.required,
            position=(index + 1) * 10,
            standard=key,
        )
        for index, (key, standard) in enumerate(STANDARD_QUESTIONS.items())
    )


def ensure_survey(*, event: Event) -> Survey:
    """The event's survey, made with the standard questions if it has none yet.

    Saves: the survey and its questions when new. Safe when two callers race: the loser reads the
    winner's survey.
    """
    survey = Survey.objects.filter(event=event).select_related("event").first()
    if survey is not None:
        return survey
    try:
        with transaction.atomic():
            survey = Survey.objects.create(event=event)
            add_standard_questions(survey=survey)
    except IntegrityError:
        survey = Survey.objects.select_related("event").get(event=event)
    return survey


def survey_questions(*, survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("position", "pk"))


# --- invitations ---------------------------------------------------------------------------------


def events_due_for_invitations(*, now: datetime | None = None) -> QuerySet[Event]:
    """Published events that have ended and whose survey may still be open at ``now``.

    An event without a survey yet is due for ``Survey.DEFAULT_OPEN_DAYS`` days after its end, so
    that events which ended long before the site had surveys are left alone.
    """
    now = now or timezone.now()
    return (
        Event.objects.filter(status=EventStatus.PUBLISHED, end__lte=now)
        .filter(
            Q(survey__isnull=True, end__gt=now - timedelta(days=Survey.DEFAULT_OPEN_DAYS))
            | Q(survey__enabled=True, survey__closes_at__gt=now)
            | Q(
                survey__enabled=True,
                survey__closes_at__isnull=True,
                end__gt=now - timedelta(days=Survey.DEFAULT_OPEN_DAYS),
            )
        )
        .order_by("end", "pk")
    )


def survey_url(response: SurveyResponse) -> str:
    return settings.SITE_URL + reverse("reports:survey", kwargs={"token": response.token})


def _queue_invitation(response: SurveyResponse, registration: Registration) -> None:
    survey = response.survey
    event = registration.event
    with translation.override(registration.language):
        closes_on = formats.date_format(event.local(survey.closes), "DATE_FORMAT")
    queue_email(
        registration=registration,
        kind=EmailKind.FEEDBACK,
        context={
            "survey_url": survey_url(response),
            "survey_closes_on": closes_on,
            "certificate_url": settings.SITE_URL
            + reverse("reports:certificate", kwargs={"token": registration.token}),
        },
    )


def invite_attendees(*, survey: Survey, now: datetime | None = None) -> int:
    """Invites every attendee of the survey's event who was not invited yet, if the survey is open
    and the event published (not cancelled or postponed).

    Safe to run any number of times, also at once: each attendee's response row is locked (or
    made, the database keeping one per attendee) before its invitation is written, and an
    attendee invited once is never invited again. Saves, per attendee in its own transaction: the
    response with its invitation time, and one outbox email; the survey's first invitation time.
    Queues: the emails' sending on commit. Returns how many were invited.
    """
    now = now or timezone.now()
    event = survey.event
    if not survey.is_open(now) or event.status != EventStatus.PUBLISHED:
        return 0
    attended = attended_registration_ids(event=event)
    invited = set(
        SurveyResponse.objects.filter(survey=survey, invited_at__isnull=False).values_list(
            "registration_id", flat=True
        )
    )
    due = sorted(attended - invited)
    registrations = Registration.objects.select_related("event__venue", "person").in_bulk(due)
    count = 0
    for registration_id in due:
        registration = registrations[registration_id]
        with transaction.atomic():
            response, _created = SurveyResponse.objects.select_for_update().get_or_create(
                survey=survey, registration=registration
            )
            if response.invited_at is not None:
                continue
            response.invited_at = now
            response.save(update_fields=["invited_at", "updated_at"])
            _queue_invitation(response, registration)
        count += 1
    if count and survey.invitations_sent_at is None:
        Survey.objects.filter(pk=survey.pk, invitations_sent_at__isnull=True).update(
            invitations_sent_at=now
        )
    return count


def send_due_invitations(*, now: datetime | None = None) -> int:
    """Makes the surveys of events that have ended and invites their attendees.

    Saves: surveys with the standard questions when missing, responses, outbox emails (see
    ``invite_attendees``). Returns how many attendees were invited.
    """
    now = now or timezone.now()
    count = 0
    for event in events_due_for_invitations(now=now):
        survey = ensure_survey(event=event)
        survey.event = event
        count += invite_attendees(survey=survey, now=now)
    return count


# --- answering -----------------------------------------------------------------------------------


def response_by_token(*, token: str) -> SurveyResponse | None:
    if not token or len(token) > 64:
        return None
    return (
        SurveyResponse.objects.select_related(
            "survey__event__venue", "registration__person", "registration__event"
        )
        .filter(token=token)
        .first()
    )


def answer_field_name(question_id: int, session_id: int | None = None) -> str:
    """The form field of one answer; errors name it so forms show them beside the field."""
    return f"q{question_id}" if session_id is None else f"q{question_id}_s{session_id}"


def rated_sessions(*, response: SurveyResponse) -> list[Session]:
    """The sessions the attendee may rate: those they attended."""
    attendance = registration_attendance(registration=response.registration)
    return attendance.sessions_of(response.registration_id)


@dataclass(frozen=True)
class AnswerInput:
    question_id: int
    session_id: int | None = None
    rating: int | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.rating is None and not self.text.strip()


def _check_answers(
    questions: list[SurveyQuestion], sessions: list[Session], answers: list[AnswerInput]
) -> dict[tuple[int, int | None], AnswerInput]:
    by_id = {q.pk: q for q in questions}
    session_ids = {s.pk for s in sessions}
    checked: dict[tuple[int, int | None], AnswerInput] = {}
    for answer in answers:
        question = by_id.get(answer.question_id)
        field = answer_field_name(answer.question_id, answer.session_id)
        if question is None:
            raise AnswerInvalid(_("This question is not part of the survey."), field=field)
        per_session = question.kind == SurveyQuestionKind.SESSION_RATINGS
        if per_session != (answer.session_id is not None) or (
            per_session and answer.session_id not in session_ids
        ):
            raise AnswerInvalid(_("This session is not one you attended."), field=field)
        rated = per_session or question.is_rating
        if rated and answer.text:
            raise AnswerInvalid(_("Choose a rating from 1 to 5."), field=field)
        if answer.rating is not None and (not rated or answer.rating not in RATINGS):
            raise AnswerInvalid(_("Choose a rating from 1 to 5."), field=field)
        limit = (
            SHORT_TEXT_LIMIT if question.kind == SurveyQuestionKind.SHORT_TEXT else LONG_TEXT_LIMIT
        )
        if len(answer.text) > limit:
            raise AnswerInvalid(
                _("Please keep this answer under %(limit)s characters.") % {"limit": limit},
                field=field,
            )
        checked[(answer.question_id, answer.session_id)] = answer
    for question in questions:
        if not question.required:
            continue
        keys = (
            [(question.pk, s.pk) for s in sessions]
            if question.kind == SurveyQuestionKind.SESSION_RATINGS
            else [(question.pk, None)]
        )
        for key in keys:
            if key not in checked or checked[key].is_empty:
                raise AnswerInvalid(
                    _("Please answer this question."), field=answer_field_name(*key)
                )
    return checked


def check_survey_open(*, survey: Survey, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if not survey.enabled or now >= survey.closes:
        raise SurveyClosed(_("This survey is closed: answers can no longer be given or changed."))
    if now < survey.opens:
        raise SurveyClosed(_("This survey is not open yet."), code="survey_not_open")


def save_answers(
    *, response: SurveyResponse, answers: list[AnswerInput], now: datetime | None = None
) -> SurveyResponse:
    """Saves the attendee's answers, replacing those they gave before.

    An empty answer removes the earlier one. A free-text answer the organisers chose to quote is
    no longer quoted once its text changes. Refuses (``SurveyClosed``) once the survey is closed,
    and an answer to a question not in the survey, about a session not attended, or out of range
    (``AnswerInvalid``, naming the form field). Saves, in one transaction: the answers, and the
    response's submission time (the first one). Locks: the response's row, so that two sends at
    once apply one after the other.
    """
    now = now or timezone.now()
    survey = response.survey
    check_survey_open(survey=survey, now=now)
    questions = survey_questions(survey=survey)
    sessions = rated_sessions(response=response)
    checked = _check_answers(questions, sessions, answers)
    with transaction.atomic():
        locked = SurveyResponse.objects.select_for_update().get(pk=response.pk)
        existing = {(a.question_id, a.session_id): a for a in locked.answers.all()}
        to_create, to_update, to_delete = [], [], []
        for key, answer in checked.items():
            current = existing.get(key)
            if answer.is_empty:
                if current is not None:
                    to_delete.append(current.pk)
                continue
            text = answer.text.strip()
            if current is None:
                to_create.append(
                    SurveyAnswer(
                        response=locked,
                        question_id=key[0],
                        session_id=key[1],
                        rating=answer.rating,
                        text=text,
                    )
                )
            elif current.rating != answer.rating or current.text != text:
                current.featured = current.featured and current.text == text
                current.rating, current.text = answer.rating, text
                to_update.append(current)
        SurveyAnswer.objects.filter(pk__in=to_delete).delete()
        SurveyAnswer.objects.bulk_create(to_create)
        SurveyAnswer.objects.bulk_update(to_update, ["rating", "text", "featured"])
        if locked.submitted_at is None:
            locked.submitted_at = now
        locked.save(update_fields=["submitted_at", "updated_at"])
    return locked

"""The organisers' admin of attendance marks, online joins and surveys."""

import pytest
from django.urls import reverse

from agenda.enums import EventStatus
from registrations.enums import EmailKind, RegistrationStatus
from registrations.models import AuditEntry, OutboxEmail
from reports import feedback
from reports.enums import StandardQuestion, SurveyQuestionKind
from reports.models import AttendanceMark, Survey, SurveyQuestion
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import (
    AttendanceMarkFactory,
    OnlineJoinFactory,
    SurveyAnswerFactory,
    SurveyFactory,
    ended_event,
)

pytestmark = pytest.mark.django_db

INLINE = "questions"


def management(total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{INLINE}-TOTAL_FORMS": str(total),
        f"{INLINE}-INITIAL_FORMS": str(initial),
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }


def survey_form(event, **fields) -> dict[str, str]:
    return {"event": str(event.pk), "enabled": "on", "intro": "", **management(), **fields}


def test_survey_admin_add_gives_the_standard_questions(organiser_client):
    event = ended_event()

    response = organiser_client.post(
        reverse("admin:reports_survey_add"), survey_form(event, intro="Five minutes, promised.")
    )

    assert response.status_code == 302
    survey = Survey.objects.get(event=event)
    assert survey.intro == "Five minutes, promised."
    assert list(survey.questions.values_list("standard", flat=True)) == list(
        feedback.STANDARD_QUESTIONS
    )


def test_survey_admin_add_with_own_questions_keeps_them(organiser_client):
    event = ended_event()
    data = survey_form(
        event,
        **management(total=1),
        **{
            f"{INLINE}-0-position": "1",
            f"{INLINE}-0-kind": SurveyQuestionKind.RATING,
            f"{INLINE}-0-label": "How accessible was the venue?",
            f"{INLINE}-0-help_text": "",
        },
    )

    response = organiser_client.post(reverse("admin:reports_survey_add"), data)

    assert response.status_code == 302
    assert list(SurveyQuestion.objects.values_list("label", flat=True)) == [
        "How accessible was the venue?"
    ]


def question_forms(survey, extra: list[dict]) -> dict[str, str]:
    """The inline as the admin posts it: every saved question, then ``extra`` new ones."""
    saved = list(survey.questions.all())
    data = management(total=len(saved) + len(extra), initial=len(saved))
    rows = [
        {"id": q.pk, "position": q.position, "kind": q.kind, "label": q.label} for q in saved
    ] + extra
    for index, row in enumerate(rows):
        for field in ("id", "position", "kind", "label"):
            data[f"{INLINE}-{index}-{field}"] = str(row.get(field, ""))
        data[f"{INLINE}-{index}-survey"] = str(survey.pk)
    return data


@pytest.mark.parametrize("with_saved_questions", [True, False])
def test_survey_admin_refuses_two_overall_ratings(organiser_client, with_saved_questions):
    survey = feedback.ensure_survey(event=ended_event())
    overall = survey.questions.get(standard=StandardQuestion.OVERALL)
    extra = [{"position": 99, "kind": SurveyQuestionKind.OVERALL_RATING, "label": "Again?"}]
    data = {"enabled": "on", "intro": ""}
    if with_saved_questions:
        data.update(question_forms(survey, extra))
    else:  # a hand-made request that leaves the saved questions out
        data.update(management(total=1))
        data.update({f"{INLINE}-0-{k}": str(v) for k, v in extra[0].items()})

    response = organiser_client.post(reverse("admin:reports_survey_change", args=[survey.pk]), data)

    assert response.status_code == 200
    assert "at most one overall rating" in response.content.decode()
    assert survey.questions.filter(kind=SurveyQuestionKind.OVERALL_RATING).get() == overall


def test_survey_admin_edits_a_question(organiser_client):
    survey = feedback.ensure_survey(event=ended_event())
    data = {"enabled": "on", "intro": "", **question_forms(survey, [])}
    data[f"{INLINE}-2-label"] = "What was most useful for your organisation?"

    response = organiser_client.post(reverse("admin:reports_survey_change", args=[survey.pk]), data)

    assert response.status_code == 302
    question = survey.questions.get(standard=StandardQuestion.MOST_USEFUL)
    assert question.label == "What was most useful for your organisation?"
    assert feedback.question_label(question) == "What was most useful for your organisation?"


def test_survey_admin_invites_attendees_now(organiser_client):
    event = ended_event()
    registration = RegistrationFactory(event=event)
    CheckInFactory(registration=registration, at=event.start)
    survey = feedback.ensure_survey(event=event)

    response = organiser_client.post(
        reverse("admin:reports_survey_changelist"),
        {"action": "invite_now", "_selected_action": [survey.pk]},
        follow=True,
    )

    assert "1 attendee invited." in response.content.decode()
    assert OutboxEmail.objects.filter(kind=EmailKind.FEEDBACK, registration=registration).exists()


def test_attendance_mark_admin_add_goes_through_the_service(organiser_client, organiser):
    registration = RegistrationFactory(event=ended_event())

    response = organiser_client.post(
        reverse("admin:reports_attendancemark_add"),
        {"registration": registration.pk, "session": "", "attended": "on", "note": "Walk-in"},
    )

    assert response.status_code == 302
    mark = AttendanceMark.objects.get()
    assert (mark.attended, mark.note, mark.marked_by) == (True, "Walk-in", organiser)
    entry = AuditEntry.objects.get(registration=registration)
    assert (entry.action, entry.reason) == ("marked_attended", "Walk-in")


def test_attendance_mark_admin_refuses_a_cancelled_registration(organiser_client):
    registration = RegistrationFactory(event=ended_event(), status=RegistrationStatus.CANCELLED)

    response = organiser_client.post(
        reverse("admin:reports_attendancemark_add"),
        {"registration": registration.pk, "session": "", "attended": "on", "note": ""},
    )

    assert response.status_code == 200
    assert "Only confirmed registrations are marked" in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_survey_admin_invites_nobody_to_the_survey_of_a_cancelled_event(organiser_client):
    event = ended_event()
    CheckInFactory(registration=RegistrationFactory(event=event), at=event.start)
    survey = feedback.ensure_survey(event=event)
    event.status = EventStatus.CANCELLED
    event.save()

    organiser_client.post(
        reverse("admin:reports_survey_changelist"),
        {"action": "invite_now", "_selected_action": [survey.pk]},
    )

    assert not OutboxEmail.objects.filter(kind=EmailKind.FEEDBACK).exists()


def test_survey_answer_admin_lets_organisers_choose_quotes_only(organiser_client):
    answer = SurveyAnswerFactory(text="The site visit.")

    response = organiser_client.post(
        reverse("admin:reports_surveyanswer_change", args=[answer.pk]),
        {"featured": "on", "text": "Changed by an organiser"},
    )

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.featured, answer.text) == (True, "The site visit.")


def test_survey_response_admin_cannot_delete(organiser_client):
    answer = SurveyAnswerFactory()

    response = organiser_client.get(
        reverse("admin:reports_surveyresponse_delete", args=[answer.response.pk])
    )

    assert response.status_code == 403


# --- changelists ---------------------------------------------------------------------------------


def make(model: str, count: int) -> None:
    event = ended_event()
    survey = SurveyFactory(event=event)
    for _ in range(count):
        if model == "attendancemark":
            AttendanceMarkFactory(registration__event=event)
        elif model == "onlinejoin":
            OnlineJoinFactory(registration__event=event)
        elif model == "survey":
            SurveyFactory(event=ended_event())
        else:
            SurveyAnswerFactory(response__survey=survey)


# Session, user, permissions, the count(s), the page, the filters' choices; the join log's date
# drill-down adds its bounds.
CHANGELIST_QUERIES = {
    "attendancemark": 8,
    "onlinejoin": 10,
    "survey": 7,
    "surveyresponse": 9,
    "surveyanswer": 9,
}


@pytest.mark.parametrize("count", [1, 15])
@pytest.mark.parametrize("model", list(CHANGELIST_QUERIES))
def test_admin_changelist_queries_are_constant(
    organiser_client, django_assert_num_queries, model, count
):
    make(model, count)
    url = reverse(f"admin:reports_{model}_changelist")

    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = organiser_client.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= count

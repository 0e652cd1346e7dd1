"""Feedback surveys: the standard questions and the one invitation each attendee receives."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agenda.enums import EventStatus
from registrations.emails import render_email
from registrations.enums import AttendanceMode, EmailKind, RegistrationStatus
from registrations.models import OutboxEmail
from reports import feedback
from reports.enums import StandardQuestion, SurveyQuestionKind
from reports.models import Survey, SurveyResponse
from reports.tasks import send_feedback_invitations
from tests.factories import EventFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import (
    AttendanceMarkFactory,
    OnlineJoinFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    ended_event,
)

pytestmark = pytest.mark.django_db


def attendee(event, **kwargs):
    registration = RegistrationFactory(event=event, **kwargs)
    CheckInFactory(registration=registration, at=event.start)
    return registration


def feedback_emails():
    return OutboxEmail.objects.filter(kind=EmailKind.FEEDBACK)


# --- the standard questions ----------------------------------------------------------------------


def test_ensure_survey_makes_the_standard_questions():
    event = ended_event()

    survey = feedback.ensure_survey(event=event)

    questions = feedback.survey_questions(survey=survey)
    assert [(q.standard, q.kind, q.required) for q in questions] == [
        (StandardQuestion.OVERALL, SurveyQuestionKind.OVERALL_RATING, True),
        (StandardQuestion.SESSIONS, SurveyQuestionKind.SESSION_RATINGS, False),
        (StandardQuestion.MOST_USEFUL, SurveyQuestionKind.LONG_TEXT, False),
        (StandardQuestion.DO_DIFFERENTLY, SurveyQuestionKind.LONG_TEXT, False),
        (StandardQuestion.COMMENTS, SurveyQuestionKind.LONG_TEXT, False),
    ]
    assert questions[2].label == "What was most useful to you?"


def test_ensure_survey_keeps_an_existing_survey_as_it_is():
    survey = SurveyFactory(event=ended_event())
    SurveyQuestionFactory(survey=survey, label="Was the venue accessible?")

    again = feedback.ensure_survey(event=survey.event)

    assert again == survey
    assert [q.label for q in survey.questions.all()] == ["Was the venue accessible?"]


def test_question_label_shows_an_edited_standard_question_as_written():
    survey = feedback.ensure_survey(event=ended_event())
    question = survey.questions.get(standard=StandardQuestion.COMMENTS)
    question.label = "Anything else for the organising team?"

    assert feedback.question_label(question) == "Anything else for the organising team?"


# --- invitations ---------------------------------------------------------------------------------


def test_send_due_invitations_invites_every_attendee_once():
    event = ended_event()
    in_person = attendee(event)
    online = RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=online, joined_at=event.start)
    RegistrationFactory(event=event)  # did not come
    attendee(event, status=RegistrationStatus.CANCELLED)

    first = feedback.send_due_invitations()
    second = feedback.send_due_invitations()

    assert (first, second) == (2, 0)
    assert sorted(feedback_emails().values_list("registration_id", flat=True)) == sorted(
        [in_person.pk, online.pk]
    )
    survey = Survey.objects.get(event=event)
    assert survey.invitations_sent_at is not None
    assert SurveyResponse.objects.filter(survey=survey, invited_at__isnull=False).count() == 2


def test_send_due_invitations_invites_someone_marked_attended_later_and_nobody_twice():
    event = ended_event()
    first_attendee = attendee(event)
    latecomer = RegistrationFactory(event=event)
    feedback.send_due_invitations()

    AttendanceMarkFactory(registration=latecomer, attended=True)
    count = feedback.send_due_invitations()

    assert count == 1
    assert feedback_emails().filter(registration=first_attendee).count() == 1
    assert feedback_emails().filter(registration=latecomer).count() == 1


def test_send_due_invitations_task_is_safe_to_run_twice():
    event = ended_event()
    attendee(event)

    assert send_feedback_invitations.apply().get() == 1
    assert send_feedback_invitations.apply().get() == 0
    assert feedback_emails().count() == 1


def test_send_due_invitations_waits_for_the_event_to_end():
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=2), end=now + timedelta(hours=1))
    attendee(event)

    assert feedback.send_due_invitations() == 0
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    "status", [EventStatus.CANCELLED, EventStatus.DRAFT, EventStatus.POSTPONED]
)
def test_send_due_invitations_leaves_unpublished_events_alone(status):
    attendee(ended_event(status=status))

    assert feedback.send_due_invitations() == 0


def test_send_due_invitations_leaves_events_ended_long_ago_alone():
    attendee(ended_event(start=timezone.now() - timedelta(days=30)))

    assert feedback.send_due_invitations() == 0
    assert not feedback_emails().exists()


def test_send_due_invitations_skips_a_disabled_survey():
    event = ended_event()
    SurveyFactory(event=event, enabled=False)
    attendee(event)

    assert feedback.send_due_invitations() == 0


def test_send_due_invitations_skips_a_closed_survey():
    event = ended_event()
    SurveyFactory(event=event, closes_at=timezone.now() - timedelta(minutes=1))
    attendee(event)

    assert feedback.send_due_invitations() == 0


def test_send_due_invitations_waits_for_a_survey_opening_later():
    event = ended_event()
    survey = SurveyFactory(event=event, opens_at=timezone.now() + timedelta(days=1))
    attendee(event)

    assert feedback.send_due_invitations() == 0
    assert feedback.send_due_invitations(now=survey.opens_at + timedelta(minutes=5)) == 1


def test_invitation_email_links_the_survey_and_the_certificate():
    event = ended_event(title="Moving Talents", online=True)
    registration = RegistrationFactory(event=event, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=registration, joined_at=event.start)
    feedback.send_due_invitations()

    email = feedback_emails().get()
    rendered = render_email(email)

    response = SurveyResponse.objects.get(registration=registration)
    survey_link = feedback.survey_url(response)
    assert email.subject == "How was it? Your feedback on Moving Talents"
    assert survey_link in rendered.body_text
    assert f'href="{survey_link}"' in rendered.body_html
    closes = event.local(event.end + timedelta(days=14))
    assert f"until {closes.day} {closes:%B %Y}" in rendered.body_text
    certificate = reverse("reports:certificate", kwargs={"token": registration.token})
    assert certificate in rendered.body_text
    # The meeting is over: no join link in this email.
    assert reverse("reports:join", kwargs={"token": registration.token}) not in rendered.body_text
    assert "Join online" not in rendered.body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invite_attendees_run_twice_at_once_sends_one_email_each(postgres):
    event = ended_event()
    attendees = [attendee(event) for _ in range(5)]
    survey = feedback.ensure_survey(event=event)
    start, errors = threading.Barrier(2), []

    def run():
        try:
            start.wait(timeout=10)
            feedback.invite_attendees(
                survey=Survey.objects.select_related("event").get(pk=survey.pk)
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(feedback_emails().values_list("registration_id", flat=True)) == sorted(
        a.pk for a in attendees
    )

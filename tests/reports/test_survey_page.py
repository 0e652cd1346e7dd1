"""The survey page: one attendee's answers, given and changed until the survey closes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.enums import SessionKind
from reports import feedback
from reports.enums import StandardQuestion
from reports.exceptions import AnswerInvalid, SurveyClosed
from reports.models import SurveyAnswer, SurveyResponse
from tests.factories import SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import SurveyAnswerFactory, ended_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = ended_event(title="Moving Talents")
    start = event.start
    SessionFactory(event=event, title="Opening", start=start, end=start + timedelta(hours=1))
    for title in ("Health track", "Green track"):  # parallel: attended only if scanned
        SessionFactory(
            event=event,
            title=title,
            kind=SessionKind.PANEL,
            start=start + timedelta(hours=2),
            end=start + timedelta(hours=3),
        )
    return event


@pytest.fixture
def survey(event):
    return feedback.ensure_survey(event=event)


def questions(survey):
    return {q.standard: q for q in survey.questions.all()}


def invited(event, survey, **kwargs):
    registration = RegistrationFactory(event=event, **kwargs)
    CheckInFactory(registration=registration, at=event.start)
    return SurveyResponse.objects.create(
        survey=survey, registration=registration, invited_at=timezone.now()
    )


def session(event, title):
    return event.sessions.get(title=title)


def url(response):
    return reverse("reports:survey", kwargs={"token": response.token})


def answers_of(response):
    return {
        (a.question.standard, a.session.title if a.session else None): a.rating or a.text
        for a in response.answers.select_related("question", "session")
    }


def form(survey, event, **values):
    q = questions(survey)
    data = {f"q{q[StandardQuestion.OVERALL].pk}": "4"}
    for key, value in values.items():
        standard, _, title = key.partition("__")
        name = f"q{q[standard].pk}"
        if title:
            name += f"_s{session(event, title.replace('_', ' ')).pk}"
        data[name] = value
    return data


# --- showing -------------------------------------------------------------------------------------


def test_survey_page_shows_the_questions_and_only_sessions_attended(client, event, survey):
    response_row = invited(event, survey)

    page = client.get(url(response_row))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Overall, how would you rate the event?" in content
    assert "What will you do differently in your work after this event?" in content
    assert "Opening (" in content
    # Parallel sessions: nobody knows which one a person who was only let in at the door saw.
    assert "Health track" not in content and "Green track" not in content


def test_survey_page_groups_each_rating_in_a_fieldset_of_radio_buttons(client, event, survey):
    response_row = invited(event, survey)
    overall = questions(survey)[StandardQuestion.OVERALL]

    content = client.get(url(response_row)).content.decode()

    assert "<legend>Overall, how would you rate the event?" in content
    for rating in range(1, 6):
        assert f'type="radio" name="q{overall.pk}" value="{rating}"' in content
    assert "<legend>How would you rate the sessions you attended?</legend>" in content
    assert '<label for="id_q' in content


def test_survey_page_offers_sessions_scanned_at(client, event, survey):
    response_row = invited(event, survey)
    CheckInFactory(
        registration=response_row.registration,
        session=session(event, "Green track"),
        at=event.start + timedelta(hours=2),
    )

    content = client.get(url(response_row)).content.decode()

    assert "Green track (" in content
    assert "Health track" not in content


def test_survey_page_keeps_the_page_private(client, event, survey):
    page = client.get(url(invited(event, survey)))

    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_survey_page_with_a_wrong_token_is_404(client, event, survey):
    invited(event, survey)

    assert client.get(reverse("reports:survey", kwargs={"token": "nope"})).status_code == 404


# --- answering -----------------------------------------------------------------------------------


def test_survey_page_saves_the_answers(client, event, survey):
    response_row = invited(event, survey)

    page = client.post(
        url(response_row),
        form(survey, event, sessions__Opening="5", most_useful="  The site visit.  "),
    )

    assert page.status_code == 302
    assert page["Location"] == url(response_row)
    assert answers_of(response_row) == {
        (StandardQuestion.OVERALL, None): 4,
        (StandardQuestion.SESSIONS, "Opening"): 5,
        (StandardQuestion.MOST_USEFUL, None): "The site visit.",
    }
    response_row.refresh_from_db()
    assert response_row.submitted_at is not None
    followed = client.get(page["Location"]).content.decode()
    assert "your answers are saved" in followed
    assert "Save my changes" in followed


def test_survey_page_lets_the_attendee_change_answers_until_it_closes(client, event, survey):
    response_row = invited(event, survey)
    client.post(url(response_row), form(survey, event, most_useful="The site visit."))
    response_row.refresh_from_db()
    first_submission = response_row.submitted_at

    page = client.post(
        url(response_row), form(survey, event, overall="2", do_differently="Call employers.")
    )

    assert page.status_code == 302
    assert answers_of(response_row) == {
        (StandardQuestion.OVERALL, None): 2,
        (StandardQuestion.DO_DIFFERENTLY, None): "Call employers.",
    }
    response_row.refresh_from_db()
    assert response_row.submitted_at == first_submission
    assert SurveyResponse.objects.count() == 1


def test_survey_page_shows_answers_given_in_the_form(client, event, survey):
    response_row = invited(event, survey)
    client.post(url(response_row), form(survey, event, most_useful="The site visit."))

    content = client.get(url(response_row)).content.decode()

    overall = questions(survey)[StandardQuestion.OVERALL]
    assert f'name="q{overall.pk}" value="4" required id="id_q{overall.pk}_3" checked' in content
    assert "The site visit.</textarea>" in content


@pytest.mark.parametrize("value", ["6", "0", "great"])
def test_survey_page_refuses_a_rating_out_of_range(client, event, survey, value):
    response_row = invited(event, survey)

    page = client.post(url(response_row), form(survey, event, overall=value))

    assert page.status_code == 400
    assert "Choose a rating from 1 to 5." in page.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_survey_page_requires_the_overall_rating(client, event, survey):
    response_row = invited(event, survey)
    data = form(survey, event, most_useful="Everything.")
    del data[f"q{questions(survey)[StandardQuestion.OVERALL].pk}"]

    page = client.post(url(response_row), data)

    content = page.content.decode()
    assert page.status_code == 400
    assert "Please choose a rating from 1 to 5." in content
    assert 'href="#field-q' in content  # the summary links to the question
    assert "Everything.</textarea>" in content  # what was typed is kept
    assert not SurveyAnswer.objects.exists()


def test_survey_page_ignores_a_rating_of_a_session_not_attended(client, event, survey):
    response_row = invited(event, survey)
    sessions_question = questions(survey)[StandardQuestion.SESSIONS]
    data = form(survey, event)
    data[f"q{sessions_question.pk}_s{session(event, 'Health track').pk}"] = "1"

    client.post(url(response_row), data)

    assert not SurveyAnswer.objects.filter(session__isnull=False).exists()


def test_survey_page_never_shows_another_attendees_answers(client, event, survey):
    mine = invited(event, survey)
    theirs = invited(event, survey)
    client.post(url(theirs), form(survey, event, comments="Confidential remark about Bob."))

    content = client.get(url(mine)).content.decode()

    assert "Confidential remark about Bob." not in content


# --- once closed ---------------------------------------------------------------------------------


def close(survey):
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()


def test_survey_page_after_closing_shows_the_answers_read_only(client, event, survey):
    response_row = invited(event, survey)
    client.post(url(response_row), form(survey, event, sessions__Opening="5", most_useful="Maps."))
    close(survey)

    page = client.get(url(response_row))

    content = page.content.decode()
    assert page.status_code == 200
    assert "This survey is closed" in content
    assert '<form method="post"' not in content
    assert "4 out of 5" in content
    assert "Opening (" in content and "5 out of 5" in content
    assert "Maps." in content


def test_survey_page_after_closing_takes_no_more_answers(client, event, survey):
    response_row = invited(event, survey)
    client.post(url(response_row), form(survey, event))
    close(survey)

    page = client.post(url(response_row), form(survey, event, overall="1"))

    assert page.status_code == 409
    assert answers_of(response_row) == {(StandardQuestion.OVERALL, None): 4}


def test_survey_page_of_a_disabled_survey_takes_no_answers(client, event, survey):
    response_row = invited(event, survey)
    survey.enabled = False
    survey.save()

    page = client.post(url(response_row), form(survey, event))

    assert page.status_code == 409
    assert not SurveyAnswer.objects.exists()


# --- the service ---------------------------------------------------------------------------------


def test_save_answers_refuses_a_session_not_attended(event, survey):
    response_row = invited(event, survey)
    sessions_question = questions(survey)[StandardQuestion.SESSIONS]
    other = session(event, "Health track")

    with pytest.raises(AnswerInvalid) as error:
        feedback.save_answers(
            response=response_row,
            answers=[
                feedback.AnswerInput(questions(survey)[StandardQuestion.OVERALL].pk, rating=3),
                feedback.AnswerInput(sessions_question.pk, other.pk, rating=2),
            ],
        )

    assert error.value.field == f"q{sessions_question.pk}_s{other.pk}"
    assert not SurveyAnswer.objects.exists()


def test_save_answers_refuses_a_question_of_another_survey(event, survey):
    response_row = invited(event, survey)
    stranger = SurveyAnswerFactory().question

    with pytest.raises(AnswerInvalid):
        feedback.save_answers(
            response=response_row, answers=[feedback.AnswerInput(stranger.pk, text="Hello")]
        )


def test_save_answers_refuses_once_closed(event, survey):
    response_row = invited(event, survey)

    with pytest.raises(SurveyClosed):
        feedback.save_answers(response=response_row, answers=[], now=survey.closes)


def test_save_answers_stops_quoting_an_answer_whose_text_changed(event, survey):
    response_row = invited(event, survey)
    overall = questions(survey)[StandardQuestion.OVERALL]
    useful = questions(survey)[StandardQuestion.MOST_USEFUL]
    comments = questions(survey)[StandardQuestion.COMMENTS]
    feedback.save_answers(
        response=response_row,
        answers=[
            feedback.AnswerInput(overall.pk, rating=5),
            feedback.AnswerInput(useful.pk, text="The site visit."),
            feedback.AnswerInput(comments.pk, text="Thanks!"),
        ],
    )
    SurveyAnswer.objects.filter(question__in=[useful, comments]).update(featured=True)

    feedback.save_answers(
        response=response_row,
        answers=[
            feedback.AnswerInput(overall.pk, rating=4),
            feedback.AnswerInput(useful.pk, text="The site visit and the maps."),
            feedback.AnswerInput(comments.pk, text="Thanks!"),
        ],
    )

    featured = dict(SurveyAnswer.objects.values_list("question_id", "featured"))
    assert featured == {overall.pk: False, useful.pk: False, comments.pk: True}

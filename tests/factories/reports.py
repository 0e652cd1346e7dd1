"""Factories of the reports app: online joins, attendance marks and feedback surveys."""

from datetime import timedelta

import factory
from django.utils import timezone

from registrations.enums import AttendanceMode
from reports.enums import SurveyQuestionKind
from reports.models import (
    AttendanceMark,
    OnlineJoin,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

from . import EventFactory
from .registrations import RegistrationFactory


def ended_event(**kwargs):
    """A published one-day event that ended an hour ago."""
    kwargs.setdefault("start", timezone.now() - timedelta(hours=9))
    kwargs.setdefault("end", kwargs["start"] + timedelta(hours=8))
    return EventFactory(**kwargs)


class OnlineJoinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnlineJoin

    registration = factory.SubFactory(RegistrationFactory, mode=AttendanceMode.ONLINE)
    joined_at = factory.LazyAttribute(lambda join: join.registration.event.start)


class AttendanceMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceMark

    registration = factory.SubFactory(RegistrationFactory)
    attended = True


class SurveyFactory(factory.django.DjangoModelFactory):
    """A survey without questions; ``feedback.add_standard_questions`` gives it the usual ones."""

    class Meta:
        model = Survey

    event = factory.SubFactory(EventFactory)


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyQuestionKind.LONG_TEXT
    label = factory.Sequence(lambda n: f"Question {n}")
    position = factory.Sequence(lambda n: n)


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """An invited attendee's response, not yet submitted."""

    class Meta:
        model = SurveyResponse

    survey = factory.SubFactory(SurveyFactory)
    registration = factory.SubFactory(
        RegistrationFactory, event=factory.SelfAttribute("..survey.event")
    )
    invited_at = factory.LazyFunction(timezone.now)


class SurveyAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyAnswer

    response = factory.SubFactory(SurveyResponseFactory)
    question = factory.SubFactory(
        SurveyQuestionFactory, survey=factory.SelfAttribute("..response.survey")
    )
    text = "The site visit."

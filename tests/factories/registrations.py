from datetime import timedelta

import factory
from django.utils import timezone

from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import Invitation, PrivacyNotice, Question, Registration
from registrations.services import RegistrationRequest

from . import EventFactory, PersonFactory


class PrivacyNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyNotice

    event = None
    version = factory.Sequence(lambda n: f"1.{n}")
    text = "We keep your registration to run the event."


def open_event(**kwargs):
    """A published event taking registrations now: opened a day ago, starts in a month."""
    now = timezone.now()
    kwargs.setdefault("start", now + timedelta(days=30))
    kwargs.setdefault("end", kwargs["start"] + timedelta(hours=8))
    kwargs.setdefault("registration_opens", now - timedelta(days=1))
    return EventFactory(**kwargs)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = "short_text"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed in-person registration, written directly (no seat check, no email)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    status = RegistrationStatus.CONFIRMED
    mode = AttendanceMode.IN_PERSON
    privacy_notice = factory.SubFactory(PrivacyNoticeFactory)
    privacy_accepted_at = factory.LazyFunction(timezone.now)


def registration_request(n: int = 0, **overrides) -> RegistrationRequest:
    values = {
        "first_name": f"Ana{n}",
        "last_name": "Novak",
        "email": f"ana{n}@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "job_title": "Adviser",
        "mode": AttendanceMode.IN_PERSON,
        "privacy_accepted": True,
    }
    values.update(overrides)
    return RegistrationRequest(**values)

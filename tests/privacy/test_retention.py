from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import Event
from badges.models import ScanLog
from badges.services import Scanner, perform_checkin
from members.models import Person
from privacy import services, tasks
from privacy.enums import ErasureSource
from privacy.models import ErasureLog
from registrations.models import Answer, Invitation, Registration
from reports.models import SurveyAnswer
from tests.factories import PersonFactory
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import InvitationFactory, QuestionFactory, RegistrationFactory
from tests.privacy.dump import event_totals
from tests.privacy.scenario import ended_event, feedback

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def now():
    """The clock, moved: tasks are told the time rather than reading it."""
    return timezone.now().replace(microsecond=0)


def registered(event, **kwargs) -> Registration:
    return RegistrationFactory(event=event, **kwargs)


def test_retention_anonymises_exactly_the_expired_events(settings, now):
    settings.PRIVACY_RETENTION_DAYS = 365
    expired = ended_event(400, title="Long ago")
    own_period_over = ended_event(40, title="Short keeping", retention_days=30)
    recent = ended_event(100, title="Recent")
    kept_longer = ended_event(400, title="Kept longer", retention_days=500)
    upcoming = ended_event(-30, title="To come")
    shared = PersonFactory(first_name="Regular", email="regular@example.org")
    only_expired = PersonFactory(first_name="Onetime", email="onetime@example.org")
    for event in (expired, own_period_over, recent, kept_longer, upcoming):
        registered(event, person=shared)
    registered(expired, person=only_expired)
    registered(own_period_over)

    logs = services.apply_retention(now=now)

    anonymised = {r.event.title for r in Registration.objects.filter(anonymised_at__isnull=False)}
    intact = {
        r.event.title
        for r in Registration.objects.filter(anonymised_at__isnull=True, person=shared)
    }
    assert anonymised == {"Long ago", "Short keeping"}
    assert intact == {"Recent", "Kept longer", "To come"}
    assert {log.event.title for log in logs} == {"Long ago", "Short keeping"}
    assert {log.source for log in logs} == {ErasureSource.RETENTION}
    assert Person.objects.filter(email="regular@example.org").exists()
    assert not Person.objects.filter(email="onetime@example.org").exists()
    assert set(
        Event.objects.filter(personal_data_anonymised_at=now).values_list("title", flat=True)
    ) == {"Long ago", "Short keeping"}


def test_retention_keeps_the_events_figures(settings, now):
    settings.PRIVACY_RETENTION_DAYS = 365
    event = ended_event(400)
    badge = BadgeFactory(registration=registered(event, photo_consent=True))
    registered(event, person__organisation__type="ngo", person__organisation__country="FR")
    device = DeviceFactory(events=[event])
    perform_checkin(event=event, scanner=Scanner(device=device), code=badge.code)
    feedback(badge.registration, rating=5, text="Loved it")
    totals = event_totals(event)

    services.apply_retention(now=now)

    assert event_totals(event) == totals
    assert Registration.objects.filter(event=event, anonymised_at__isnull=True).count() == 0


def test_retention_removes_what_names_people(settings, now):
    settings.PRIVACY_RETENTION_DAYS = 365
    event = ended_event(400)
    question = QuestionFactory(event=event, kind="long_text")
    registration = registered(
        event,
        person__first_name="Ottilie",
        accessibility_needs="Hearing loop",
        invitation=InvitationFactory(event=event, email="ottilie@example.org", note="Ottilie"),
    )
    Answer.objects.create(registration=registration, question=question, value="Ottilie's note")
    badge = BadgeFactory(registration=registration)
    perform_checkin(
        event=event, scanner=Scanner(device=DeviceFactory(events=[event])), code=badge.code
    )
    quote = feedback(registration, rating=3, text="Quoted in the report")
    quote.featured = True
    quote.save()
    other = feedback(registered(event), rating=2, text="Not chosen")

    services.apply_retention(now=now)

    registration.refresh_from_db()
    assert registration.person.first_name == ""
    assert Answer.objects.filter(registration=registration).count() == 0
    assert Invitation.objects.get(event=event).email == ""
    assert ScanLog.objects.get(event=event).response["attendee"] is None
    badge.refresh_from_db()
    assert badge.code.startswith("anonymised-")
    quote.refresh_from_db()
    other.refresh_from_db()
    # Quotes chosen for the report were published without a name: the report stays right.
    assert (quote.text, other.text) == ("Quoted in the report", "")


def test_retention_twice_changes_nothing_more(settings, now):
    settings.PRIVACY_RETENTION_DAYS = 365
    event = ended_event(400)
    registered(event)
    services.apply_retention(now=now)

    second = services.apply_retention(now=now + DAY)

    assert second == []
    assert ErasureLog.objects.filter(event=event).count() == 1


def test_retention_task_runs_with_the_clock_moved_past_the_period(settings, monkeypatch):
    settings.PRIVACY_RETENTION_DAYS = 365
    event = ended_event(300)
    registered(event)
    later = timezone.now() + timedelta(days=70)
    monkeypatch.setattr(timezone, "now", lambda: later)

    anonymised = tasks.apply_retention.delay().get()

    assert anonymised == 1
    assert Registration.objects.get(event=event).anonymised_at == later


def test_special_category_erased_after_its_own_period(settings, now):
    settings.PRIVACY_SPECIAL_CATEGORY_DAYS = 30
    past = ended_event(31)
    recent = ended_event(10)
    sensitive = QuestionFactory(event=past, kind="short_text", sensitive=True)
    plain = QuestionFactory(event=past, kind="short_text")
    old = registered(past, accessibility_needs="Sign language", dietary_needs="Kosher")
    Answer.objects.create(registration=old, question=sensitive, value="Pregnant")
    Answer.objects.create(registration=old, question=plain, value="Working group B")
    badge = BadgeFactory(registration=old)
    device = DeviceFactory(events=[past], shows_accessibility_needs=True)
    perform_checkin(event=past, scanner=Scanner(device=device), code=badge.code)
    new = registered(recent, accessibility_needs="Ramp", dietary_needs="Vegan")

    logs = services.erase_special_category(now=now)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.accessibility_needs, old.dietary_needs) == ("", "")
    assert (new.accessibility_needs, new.dietary_needs) == ("Ramp", "Vegan")
    assert list(Answer.objects.filter(registration=old).values_list("value", flat=True)) == [
        "Working group B"
    ]
    attendee = ScanLog.objects.get(event=past).response["attendee"]
    assert "accessibility_needs" not in attendee and "needs_assistance" not in attendee
    assert attendee["name"] == old.person.full_name  # the rest waits for retention
    assert [(log.event, log.counts) for log in logs] == [
        (past, {"answers": 1, "needs": 1, "scans": 1})
    ]
    assert old.person.first_name  # names stay until the retention period is over


def test_special_category_never_outlives_the_retention_period(settings, now):
    settings.PRIVACY_SPECIAL_CATEGORY_DAYS = 30
    event = ended_event(8, retention_days=7)
    registered(event, dietary_needs="Halal")

    services.erase_special_category(now=now)

    assert Registration.objects.get(event=event).dietary_needs == ""


def test_event_cannot_keep_needs_longer_than_its_other_data():
    event = ended_event(5, retention_days=10, special_category_days=20)

    with pytest.raises(Exception, match="cannot be kept longer"):
        event.full_clean()


def test_anonymised_event_keeps_survey_ratings(settings, now):
    settings.PRIVACY_RETENTION_DAYS = 1
    event = ended_event(3)
    feedback(registered(event), rating=4, text="x")

    services.apply_retention(now=now)

    assert list(
        SurveyAnswer.objects.filter(rating__isnull=False).values_list("rating", flat=True)
    ) == [4]

import json

import pytest
from django.contrib.auth import get_user_model

from privacy.export import export_person, render_export_html
from registrations.models import AuditEntry, Registration
from tests.factories import PersonFactory
from tests.factories.registrations import InvitationFactory, RegistrationFactory
from tests.privacy.scenario import person_with_traces

pytestmark = pytest.mark.django_db


@pytest.fixture
def traces():
    return person_with_traces(with_files=False)


def test_export_holds_every_registration_of_the_person(traces):
    RegistrationFactory(person=traces.person)  # a third event

    data = export_person(person=traces.person)

    titles = sorted(r["event"]["title"] for r in data["registrations"])
    expected = sorted(
        Registration.objects.filter(person=traces.person).values_list("event__title", flat=True)
    )
    assert titles == expected
    assert len(titles) == 3
    first = next(r for r in data["registrations"] if r["event"]["title"] == "Moving Talents")
    assert first["accessibility_needs"] == "wheelchair-ramp-at-door"
    assert {a["question"]: a["answer"] for a in first["answers"]} == {
        "Menu wish": "vegan-zebra-menu",
        "Slot": "Morning",
        "Medication": "insulin-fridge-needed",
    }
    assert first["consents"] == {"photos": True, "participant_list": True}
    assert first["privacy_notice"]["version"]
    assert len(first["check_ins"]) == 1
    assert [a["rating"] for a in first["feedback"][0]["answers"]] == [4, None]
    assert data["person"]["email"] == "zofia.quarantotto@example.org"
    assert data["speaker_profiles"][0]["biography"] == "Zofia studies Xylograph"
    assert data["invitations"][0]["event"] == "Moving Talents"


def test_export_holds_nobody_elses_data(traces):
    organiser = get_user_model().objects.create_user(
        "organiser-hidalgo", email="hidalgo@example.org", is_staff=True
    )
    first = traces.events[0]
    other = RegistrationFactory(
        event=first,
        person=PersonFactory(first_name="Leopoldine", email="leopoldine@example.org"),
        accessibility_needs="Other person's needs",
    )
    InvitationFactory(event=first, email="leopoldine@example.org", note="For Leopoldine")
    own = Registration.objects.get(event=first, person=traces.person)
    AuditEntry.objects.create(
        registration=own, actor=organiser, actor_label=organiser.username, action="approved"
    )

    text = json.dumps(export_person(person=traces.person)) + render_export_html(
        export_person(person=traces.person)
    )

    for foreign in (
        "Leopoldine",
        "leopoldine@example.org",
        "Other person's needs",
        "hidalgo",
        other.token,
        own.token,
        traces.person.calendar_token,
        *traces.badge_codes,
    ):
        assert foreign not in text


def test_export_is_json_serialisable_and_readable(traces):
    data = export_person(person=traces.person)

    text = json.dumps(data)
    page = render_export_html(data)

    assert json.loads(text)["format"] == "eventsite-personal-data"
    assert "<script" not in page and "<img" not in page
    assert "Zofia" in page and "vegan-zebra-menu" in page and "Moving Talents" in page


def test_export_of_an_address_with_only_an_invitation():
    InvitationFactory(email="invited.only@example.org", note="Speaker candidate")

    data = export_person(person=None, email="Invited.Only@example.org")

    assert data["person"] is None
    assert data["registrations"] == []
    assert [invitation["note"] for invitation in data["invitations"]] == ["Speaker candidate"]


def test_export_queries_do_not_grow_with_registrations(django_assert_max_num_queries):
    person = PersonFactory()
    RegistrationFactory(person=person)
    with django_assert_max_num_queries(20) as one:
        export_person(person=person)
    RegistrationFactory.create_batch(5, person=person)

    with django_assert_max_num_queries(len(one.captured_queries)):
        data = export_person(person=person)

    assert len(data["registrations"]) == 6

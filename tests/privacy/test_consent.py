import pytest
from django.urls import reverse
from django.utils import timezone

from privacy import services
from registrations.enums import RegistrationStatus
from registrations.models import AuditEntry, Registration
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories.registrations import RegistrationFactory, open_event

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Novak",
        "email": "ana@example.org",
        "organisation_name": "Ministry of Labour",
        "organisation_type": "national_authority",
        "organisation_country": "SI",
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return data


def participants_url(registration):
    return reverse("registrations:participants", args=[registration.token])


def attendee(event, first_name, *, listed=True, **kwargs):
    return RegistrationFactory(
        event=event,
        person=PersonFactory(
            first_name=first_name,
            last_name="Lindqvist",
            organisation=OrganisationFactory(name=f"{first_name} agency"),
        ),
        participant_list_consent=listed,
        **kwargs,
    )


# --- giving consent ------------------------------------------------------------------------------


def test_registration_form_offers_both_consents_unticked(client):
    event = open_event()

    response = client.get(reverse("registrations:register", args=[event.slug]))

    form = response.context["form"]
    assert form["photo_consent"].value() in (None, False)
    assert form["participant_list_consent"].value() in (None, False)
    assert "participant list" in response.content.decode()


@pytest.mark.parametrize(("ticked", "stored"), [("on", True), (None, False)])
def test_registration_stores_participant_list_consent(client, ticked, stored):
    event = open_event()
    data = form_data(participant_list_consent=ticked) if ticked else form_data()

    client.post(reverse("registrations:register", args=[event.slug]), data)

    registration = Registration.objects.get()
    assert registration.participant_list_consent is stored
    assert registration.privacy_notice.version == "2026-01"
    assert registration.privacy_accepted_at is not None


def test_personal_page_changes_consents_and_records_it(client):
    registration = RegistrationFactory(photo_consent=True, participant_list_consent=False)
    url = reverse("registrations:change-consent", args=[registration.token])

    response = client.post(url, {"participant_list_consent": "on"})

    registration.refresh_from_db()
    assert response.status_code == 302
    assert (registration.photo_consent, registration.participant_list_consent) == (False, True)
    entry = AuditEntry.objects.get(registration=registration, action="consent_changed")
    assert entry.reason == "photos: yes → no; participant list: no → yes"
    assert entry.actor_label == "attendee"


def test_personal_page_shows_the_consent_form(client):
    registration = RegistrationFactory(photo_consent=True)

    response = client.get(reverse("registrations:manage", args=[registration.token]))

    assert response.context["consent_form"].initial == {
        "photo_consent": True,
        "participant_list_consent": False,
    }
    assert reverse("privacy:index") in response.content.decode()


def test_consent_change_with_a_wrong_token_answers_not_found(client):
    response = client.post(reverse("registrations:change-consent", args=["nope"]), {})

    assert response.status_code == 404


# --- the participant list ------------------------------------------------------------------------


def test_participant_list_shows_only_confirmed_attendees_who_agreed(client):
    event = open_event()
    viewer = attendee(event, "Viewer", listed=False)
    attendee(event, "Listed")
    attendee(event, "Shy", listed=False)
    attendee(event, "Waiting", status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now())
    attendee(open_event(), "Elsewhere")

    response = client.get(participants_url(viewer))

    page = response.content.decode()
    assert response.status_code == 200
    assert [r.person.first_name for r in response.context["participants"]] == ["Listed"]
    assert "Listed Lindqvist" in page and "Listed agency" in page
    for hidden in ("Shy", "Waiting", "Elsewhere", "Viewer Lindqvist"):
        assert hidden not in page
    assert "@example.org" not in page
    assert response["Cache-Control"] == "private, no-store"


def test_participant_list_is_for_confirmed_attendees_only(client):
    event = open_event()
    attendee(event, "Listed")
    waiting = attendee(
        event, "Waiting", status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now()
    )

    response = client.get(participants_url(waiting))

    assert response.status_code == 404


def test_participant_list_leaves_out_anonymised_registrations(client):
    event = open_event()
    viewer = attendee(event, "Viewer")
    erased = attendee(event, "Erased")

    services.erase_person(person=erased.person)

    response = client.get(participants_url(viewer))
    assert [r.person.first_name for r in response.context["participants"]] == ["Viewer"]


def test_participant_list_queries_with_one_participant(client, django_assert_num_queries):
    event = open_event()
    viewer = attendee(event, "Viewer")

    with django_assert_num_queries(2):
        response = client.get(participants_url(viewer))

    assert len(response.context["participants"]) == 1


def test_participant_list_queries_with_many_participants(client, django_assert_num_queries):
    event = open_event()
    viewer = attendee(event, "Viewer")
    for n in range(25):
        attendee(event, f"Person{n}")

    with django_assert_num_queries(2):
        response = client.get(participants_url(viewer))

    assert len(response.context["participants"]) == 26

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agenda.models import Speaker
from badges.models import Badge, ScanLog
from eventsite.exceptions import ApplicationError
from members.models import Person
from privacy import services
from privacy.enums import ErasureSource, RequestKind, RequestStatus
from privacy.exceptions import ErasureRefused
from privacy.models import DataRequest, ErasureLog
from registrations import services as registration_services
from registrations.enums import EmailStatus, RegistrationStatus
from registrations.models import Answer, Invitation, OutboxEmail, Registration
from reports.models import SurveyAnswer
from tests.factories import PersonFactory
from tests.factories.privacy import DataRequestFactory
from tests.factories.registrations import RegistrationFactory, open_event, registration_request
from tests.factories.webhooks import WebhookFactory
from tests.privacy.dump import database_dump, event_totals, media_files, media_text
from tests.privacy.scenario import person_with_traces
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def leftovers(text: str, secrets: list[str]) -> list[str]:
    lowered = text.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_nothing_of_the_person_in_database_and_media(
    django_capture_on_commit_callbacks,
):
    traces = person_with_traces()
    bystander = RegistrationFactory(
        event=traces.events[0],
        person=PersonFactory(first_name="Bartholomew", email="bart.bystander@example.org"),
    )
    services.request_data(email=traces.person.email, kind=RequestKind.ERASURE, language="en")
    data_request = DataRequest.objects.get()
    totals = [event_totals(event) for event in traces.events]
    before = database_dump() + media_text()
    assert leftovers(before, traces.secrets) == traces.secrets  # the check can fail
    assert leftovers(before, traces.badge_codes) == traces.badge_codes
    files_before = media_files()

    services.confirm_erasure(data_request=data_request)

    after = database_dump() + media_text()
    assert leftovers(after, traces.secrets + traces.badge_codes) == []
    assert "Bartholomew" in after and "bart.bystander@example.org" in after
    assert [event_totals(event) for event in traces.events] == totals
    assert len(media_files()) == len(files_before) - 3  # photo, print run, report
    assert Registration.objects.get(pk=bystander.pk).person.first_name == "Bartholomew"


def test_erasure_keeps_the_registrations_as_anonymous_figures():
    traces = person_with_traces(with_files=False)
    first = traces.events[0]
    registration = Registration.objects.get(event=first, person=traces.person)
    old_token, badge = registration.token, Badge.objects.get(registration=registration)

    log = services.erase_person(person=traces.person, source=ErasureSource.ORGANISER)

    registration.refresh_from_db()
    stand_in = registration.person
    assert not Person.objects.filter(pk=traces.person.pk).exists()
    assert (stand_in.first_name, stand_in.last_name, stand_in.anonymised_at is not None) == (
        "",
        "",
        True,
    )
    assert stand_in.email.endswith("@anonymised.invalid")
    assert (stand_in.organisation.name, stand_in.country.code) == ("Ministry of Labour", "SI")
    assert registration.token != old_token
    assert registration.anonymised_at is not None
    assert (registration.accessibility_needs, registration.dietary_needs) == ("", "")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert list(
        Answer.objects.filter(registration=registration).values_list("value", flat=True)
    ) == ["Morning"]
    badge.refresh_from_db()
    assert badge.revoked_at is not None and badge.code.startswith("anonymised-")
    scan = ScanLog.objects.get(registration=registration)
    assert (scan.response["attendee"], scan.code_hash) == (None, "")
    assert scan.response["result"] == "checked_in"
    assert Invitation.objects.get(event=first).revoked_at is not None
    assert log.counts["registrations"] == 2
    assert log.counts["speakers"] == 1
    assert log.actor is None


def test_erasure_record_says_how_much_but_never_whom():
    traces = person_with_traces(with_files=False)
    organiser = get_user_model().objects.create_user("dpo-erasing", is_staff=True)

    log = services.erase_person(person=traces.person, actor=organiser)

    text = repr(ErasureLog.objects.filter(pk=log.pk).values().get())  # every column of the record
    assert leftovers(text, traces.secrets) == []
    assert str(traces.person.pk) not in {str(value) for value in log.counts.values()} - {"1", "2"}
    assert (log.source, log.actor) == (ErasureSource.ORGANISER, organiser)
    assert log.counts["events"] == 2


def test_erasure_cancels_upcoming_registrations_and_promotes_the_waitlist():
    event = open_event(capacity_in_person=1)
    person = PersonFactory()
    RegistrationFactory(event=event, person=person)
    waiting = RegistrationFactory(
        event=event,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
    )

    services.erase_person(person=person)

    erased = Registration.objects.get(event=event, anonymised_at__isnull=False)
    waiting.refresh_from_db()
    assert erased.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    # The cancellation email to the erased person is never sent, and keeps no address.
    assert list(OutboxEmail.objects.filter(registration=erased).values_list("to", "status")) == [
        ("", EmailStatus.FAILED)
    ]


def test_erasure_of_a_staff_account_is_refused():
    user = get_user_model().objects.create_user("organiser-too", is_staff=True)
    person = PersonFactory(user=user)
    RegistrationFactory(person=person)

    with pytest.raises(ErasureRefused):
        services.erase_person(person=person)

    assert Person.objects.filter(pk=person.pk).exists()
    assert ErasureLog.objects.count() == 0


def test_erasure_deactivates_and_anonymises_the_persons_own_account():
    traces = person_with_traces(with_files=False)
    account = traces.person.user

    services.erase_person(person=traces.person)

    account.refresh_from_db()
    assert (account.email, account.first_name, account.is_active) == ("", "", False)
    assert account.username.startswith("erased-")
    assert not account.has_usable_password()


def test_erasure_removes_linked_speaker_profiles():
    traces = person_with_traces(with_files=False)

    services.erase_person(person=traces.person)

    assert Speaker.objects.filter(name__icontains="Quarantotto").count() == 0


def test_erasure_empties_feedback_texts_but_keeps_ratings():
    traces = person_with_traces(with_files=False)

    services.erase_person(person=traces.person)

    answers = SurveyAnswer.objects.filter(response__survey__event=traces.events[0])
    assert list(answers.order_by("pk").values_list("rating", "text")) == [(4, ""), (None, "")]


def test_erasure_by_email_alone_revokes_invitations_and_forgets_the_address():
    invitation = Invitation.objects.create(
        event=open_event(), email="only.invited@example.org", note="For Olga"
    )

    log = services.erase_email(email="Only.Invited@example.org")

    invitation.refresh_from_db()
    assert (invitation.email, invitation.note) == ("", "")
    assert invitation.revoked_at is not None
    assert log.counts == {"invitations": 1}


def test_erasure_request_awaiting_elsewhere_is_closed_without_its_address():
    person = PersonFactory(email="twice@example.org")
    services.request_data(email="twice@example.org", kind=RequestKind.ACCESS, language="en")

    services.erase_person(person=person)

    assert list(DataRequest.objects.values_list("email", "status")) == [("", RequestStatus.EXPIRED)]


def test_erased_persons_personal_link_no_longer_opens_their_page(client):
    registration = RegistrationFactory()
    old_link = f"/registration/{registration.token}/"

    services.erase_person(person=registration.person)

    assert client.get(old_link).status_code == 404


@pytest.mark.parametrize("now_offset_days", [0])
def test_erasure_twice_is_harmless(now_offset_days):
    person = PersonFactory()
    registration = RegistrationFactory(person=person, event=open_event())
    services.erase_person(person=person, now=timezone.now() + timedelta(days=now_offset_days))

    counts, people = services.anonymise_registrations(
        registration_ids=[registration.pk], now=timezone.now(), keep_featured_feedback=False
    )

    assert (counts.as_dict(), people) == ({}, set())
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_database_dump_sees_committed_rows():
    # The dump test above relies on the dump of the test's own database.
    PersonFactory(first_name="Dumpable", email="dumpable@example.org")

    assert "dumpable@example.org" in database_dump()
    assert connection.vendor in ("sqlite", "postgresql")


def test_erasure_of_a_stand_in_is_refused():
    registration = RegistrationFactory()
    services.erase_person(person=registration.person)
    registration.refresh_from_db()

    with pytest.raises(ApplicationError, match="already anonymised"):
        services.erase_person(person=registration.person)


def test_erasure_link_of_a_staff_member_explains_the_refusal(client):
    person = PersonFactory(user=get_user_model().objects.create_user("staffer", is_staff=True))
    data_request = DataRequestFactory(kind=RequestKind.ERASURE, email=person.email)

    response = client.post(reverse("privacy:request", args=[data_request.token]))

    assert response.status_code == 409
    assert "staff account" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


def test_erasure_forgets_the_webhook_deliveries_about_the_person():
    event = open_event()
    WebhookFactory(events=[event])
    erased = registration_services.register(event=event, request=registration_request(0))
    kept = registration_services.register(event=event, request=registration_request(1))
    assert WebhookDelivery.objects.count() == 2  # the check can fail

    services.erase_person(person=erased.registration.person)

    assert [d.payload["data"]["id"] for d in WebhookDelivery.objects.all()] == [
        kept.registration.pk
    ]

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agenda.enums import Audience, EventFormat, EventStatus
from members.models import Person
from registrations import services
from registrations.enums import AttendanceMode, EmailKind, EmailStatus, RegistrationStatus
from registrations.exceptions import (
    InvitationInvalid,
    InvitationRequired,
    NotEligible,
    RegistrationError,
    RegistrationNotOpen,
    SessionsOverlap,
)
from registrations.models import AuditEntry, OutboxEmail, Registration, RegistrationSettings
from tests.factories import SessionFactory
from tests.factories.registrations import (
    InvitationFactory,
    QuestionFactory,
    open_event,
    registration_request,
)

pytestmark = pytest.mark.django_db


def register(event, n=0, **overrides):
    return services.register(event=event, request=registration_request(n, **overrides))


def test_register_confirms_when_seats_are_free():
    event = open_event(capacity_in_person=2)

    result = register(event)

    assert result.created is True
    assert result.registration.status == RegistrationStatus.CONFIRMED
    assert result.registration.person.email == "ana0@example.org"


def test_register_writes_audit_entry_and_sends_confirmation(django_capture_on_commit_callbacks):
    event = open_event()

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event).registration

    entry = AuditEntry.objects.get(registration=registration)
    assert (entry.action, entry.actor_label, entry.to_status) == (
        "registered",
        "system",
        "confirmed",
    )
    email = OutboxEmail.objects.get(registration=registration)
    assert (email.kind, email.status) == (EmailKind.CONFIRMATION, EmailStatus.SENT)
    assert len(mail.outbox) == 1
    assert registration.token in mail.outbox[0].body


def test_register_waitlists_in_order_when_full():
    event = open_event(capacity_in_person=1)
    register(event, 0)

    second = register(event, 1).registration
    third = register(event, 2).registration

    assert [second.status, third.status] == [RegistrationStatus.WAITLISTED] * 2
    assert services.capacity.waitlist_position(second) == 1
    assert services.capacity.waitlist_position(third) == 2


def test_register_counts_capacity_per_mode():
    event = open_event(format=EventFormat.HYBRID, capacity_in_person=1, capacity_online=1)
    register(event, 0, mode=AttendanceMode.IN_PERSON)

    online = register(event, 1, mode=AttendanceMode.ONLINE).registration
    in_person = register(event, 2, mode=AttendanceMode.IN_PERSON).registration

    assert online.status == RegistrationStatus.CONFIRMED
    assert in_person.status == RegistrationStatus.WAITLISTED


def test_register_hybrid_without_mode_is_refused():
    event = open_event(format=EventFormat.HYBRID, capacity_online=10)

    with pytest.raises(RegistrationError) as error:
        register(event, mode="")

    assert error.value.field == "mode"
    assert Registration.objects.count() == 0


def test_register_twice_returns_existing_and_resends_email():
    event = open_event()
    first = register(event).registration

    again = register(event, first_name="Someone", last_name="Else", email="ANA0@example.org ")

    assert again.created is False
    assert again.registration.pk == first.pk
    assert Registration.objects.count() == 1
    assert Person.objects.get().first_name == "Ana0"  # a form never overwrites a known person
    assert OutboxEmail.objects.filter(registration=first).count() == 2


def test_register_after_decline_keeps_decision_and_resends_it():
    event = open_event()
    registration = register(event).registration
    services.decline(registration=registration, actor=None)

    again = register(event)

    assert again.created is False
    assert Registration.objects.get().status == RegistrationStatus.DECLINED
    kinds = list(OutboxEmail.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [EmailKind.CONFIRMATION, EmailKind.DECLINED, EmailKind.DECLINED]


def test_register_after_cancel_joins_end_of_waitlist():
    event = open_event(capacity_in_person=1)
    first = register(event, 0).registration
    register(event, 1)  # waitlisted
    services.cancel(registration=first, actor=None)  # promotes 1

    again = register(event, 0).registration

    assert again.pk == first.pk
    assert again.status == RegistrationStatus.WAITLISTED
    assert services.capacity.waitlist_position(again) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registration_opens": timezone.now() + timedelta(days=1)}, "opens on"),
        ({"registration_closes": timezone.now() - timedelta(minutes=1)}, "closed"),
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        ({"registration_opens": None}, "does not take registrations"),
    ],
)
def test_register_outside_window_records_nothing(changes, message):
    now = timezone.now()
    values = {"registration_opens": now - timedelta(days=2)}
    values.update(changes)
    event = open_event(**values)

    with pytest.raises(RegistrationNotOpen) as error:
        register(event)

    assert message in str(error.value)
    assert (Registration.objects.count(), Person.objects.count()) == (0, 0)


def test_register_without_privacy_consent_is_refused():
    event = open_event()

    with pytest.raises(RegistrationError) as error:
        register(event, privacy_accepted=False)

    assert error.value.field == "privacy_accepted"
    assert Registration.objects.count() == 0


def test_register_stores_privacy_notice_version():
    event = open_event()

    registration = register(event).registration

    assert registration.privacy_notice.version == "2026-01"
    assert registration.privacy_accepted_at is not None


def test_register_members_only_refuses_partner_country_with_explanation():
    event = open_event(audience=Audience.MEMBERS)

    with pytest.raises(NotEligible) as error:
        register(event, organisation_type="national_authority", organisation_country="MA")

    assert "partner countries" in str(error.value)
    assert "invitation" in str(error.value)
    assert Registration.objects.count() == 0


def test_register_members_only_accepts_international_organisation_anywhere():
    event = open_event(audience=Audience.MEMBERS)

    registration = register(
        event, organisation_type="international_organisation", organisation_country="CH"
    ).registration

    assert registration.status == RegistrationStatus.CONFIRMED


def test_register_members_only_accepts_partner_country_guest_with_invitation():
    event = open_event(audience=Audience.MEMBERS)
    invitation = InvitationFactory(event=event)

    registration = register(
        event, organisation_country="MA", invitation_code=invitation.code.lower()
    ).registration

    invitation.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert invitation.uses == 1


def test_register_invitation_only_needs_a_code():
    event = open_event(audience=Audience.INVITATION)

    with pytest.raises(InvitationRequired):
        register(event)


@pytest.mark.parametrize(
    ("invitation_values", "message"),
    [
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expired"),
        ({"uses": 1, "max_uses": 1}, "already been used"),
        ({"email": "someone@example.org"}, "another email"),
    ],
)
def test_register_with_unusable_invitation_is_refused(invitation_values, message):
    event = open_event(audience=Audience.INVITATION)
    invitation = InvitationFactory(event=event, **invitation_values)

    with pytest.raises(InvitationInvalid) as error:
        register(event, invitation_code=invitation.code)

    assert message in str(error.value)


def test_register_with_invitation_of_other_event_is_refused():
    event = open_event(audience=Audience.INVITATION)
    other = InvitationFactory(event=open_event())

    with pytest.raises(InvitationInvalid):
        register(event, invitation_code=other.code)


def test_register_multi_use_invitation_counts_uses():
    event = open_event(audience=Audience.INVITATION)
    invitation = InvitationFactory(event=event, max_uses=2)

    register(event, 0, invitation_code=invitation.code)
    register(event, 1, invitation_code=invitation.code)
    with pytest.raises(InvitationInvalid):
        register(event, 2, invitation_code=invitation.code)

    invitation.refresh_from_db()
    assert invitation.uses == 2


def test_register_with_approval_holds_no_seat():
    event = open_event(capacity_in_person=1)
    RegistrationSettings.objects.create(event=event, requires_approval=True)

    pending = register(event, 0).registration
    other = register(event, 1).registration

    assert [pending.status, other.status] == [RegistrationStatus.PENDING] * 2
    assert services.capacity.free_seats(event, AttendanceMode.IN_PERSON) == 1


def test_approve_takes_seat_then_waitlist_when_full():
    event = open_event(capacity_in_person=1)
    RegistrationSettings.objects.create(event=event, requires_approval=True)
    first, second = register(event, 0).registration, register(event, 1).registration

    services.approve(registration=first, actor=None)
    services.approve(registration=second, actor=None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )


def test_cancel_promotes_first_waitlisted_and_tells_them():
    event = open_event(capacity_in_person=1)
    first = register(event, 0).registration
    second = register(event, 1).registration
    third = register(event, 2).registration

    services.cancel(registration=first, actor=None, reason="Cannot travel")

    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert third.status == RegistrationStatus.WAITLISTED
    assert services.capacity.waitlist_position(third) == 1
    assert OutboxEmail.objects.filter(registration=second, kind=EmailKind.PROMOTED).count() == 1


def test_fill_free_seats_after_capacity_raised():
    event = open_event(capacity_in_person=1)
    register(event, 0)
    waiting = [register(event, n).registration for n in (1, 2, 3)]
    event.capacity_in_person = 3
    event.save()

    promoted = services.fill_free_seats(event=event)

    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]


def test_register_required_question_unanswered_is_refused():
    event = open_event()
    question = QuestionFactory(event=event, required=True, label="Your field of work")

    with pytest.raises(RegistrationError) as error:
        register(event)

    assert error.value.field == f"question_{question.pk}"
    assert Registration.objects.count() == 0


def test_register_single_choice_outside_options_is_refused():
    event = open_event()
    question = QuestionFactory(event=event, kind="single_choice", choices=["Policy", "Practice"])

    with pytest.raises(RegistrationError):
        register(event, answers={question.pk: "Other"})


def test_register_stores_answers():
    event = open_event()
    question = QuestionFactory(event=event, kind="multiple_choice", choices=["A", "B", "C"])

    registration = register(event, answers={question.pk: ["A", "C"]}).registration

    assert registration.answers.get().value == ["A", "C"]


def test_register_overlapping_session_picks_is_refused():
    event = open_event()
    first = SessionFactory(event=event, requires_signup=True, title="Workshop A")
    second = SessionFactory(event=event, requires_signup=True, title="Workshop B")

    with pytest.raises(SessionsOverlap) as error:
        register(event, session_ids=[first.pk, second.pk])

    assert "Workshop A" in str(error.value)
    assert Registration.objects.count() == 0


def test_session_pick_waitlist_promotes_on_cancel():
    event = open_event()
    workshop = SessionFactory(event=event, requires_signup=True, capacity=1)
    first = register(event, 0, session_ids=[workshop.pk]).registration
    second = register(event, 1, session_ids=[workshop.pk]).registration
    assert [p.status for p in second.session_picks.all()] == ["waitlisted"]

    services.cancel(registration=first, actor=None)

    assert [p.status for p in second.session_picks.all()] == ["confirmed"]


def test_online_registration_drops_dietary_needs():
    event = open_event(format=EventFormat.HYBRID, capacity_online=10)

    registration = register(
        event, mode=AttendanceMode.ONLINE, dietary_needs="Vegetarian"
    ).registration

    assert registration.dietary_needs == ""


def test_email_subject_cannot_inject_headers(django_capture_on_commit_callbacks):
    event = open_event(title="Meeting\r\nBcc: victim@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        register(event, first_name="Eve\r\nBcc: spy@example.org")

    headers = mail.outbox[0].message()
    assert "\n" not in headers["Subject"]
    assert headers.get_all("Bcc") is None
    assert headers.get_all("To") == ["ana0@example.org"]

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agenda.enums import EventStatus
from registrations import services
from registrations.enums import (
    AttendanceMode,
    EmailKind,
    EmailStatus,
    PickStatus,
    RegistrationStatus,
)
from registrations.models import (
    AuditEntry,
    Invitation,
    OutboxEmail,
    Registration,
    RegistrationSettings,
    SessionPick,
)
from tests.factories import EventFactory, OrganisationFactory, PersonFactory, SessionFactory
from tests.factories.registrations import (
    InvitationFactory,
    RegistrationFactory,
    open_event,
    registration_request,
)
from tests.test_admin import event_form

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registrations_registration_changelist")
IMPORT = reverse("admin:registrations_invitation_import")


@pytest.fixture
def organiser():
    user = get_user_model().objects.create_user(
        "organiser", email="organiser@example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name="organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def select(action: str, registrations, **extra) -> dict:
    return {"action": action, "_selected_action": [r.pk for r in registrations], **extra}


def register(event, n: int, **overrides) -> Registration:
    return services.register(event=event, request=registration_request(n, **overrides)).registration


def pending_event(**kwargs):
    event = open_event(**kwargs)
    RegistrationSettings.objects.create(event=event, requires_approval=True)
    return event


# Permissions


def test_organisers_group_can_change_registrations_but_not_delete_them():
    group = Group.objects.get(name="organisers")

    codenames = set(
        group.permissions.filter(content_type__app_label="registrations").values_list(
            "codename", flat=True
        )
    )

    assert {"add_invitation", "change_registration", "view_outboxemail"} <= codenames
    assert not Permission.objects.filter(
        group=group, content_type__app_label="registrations", codename__startswith="delete_"
    ).exists()


@pytest.mark.parametrize(
    "model",
    [
        "registration",
        "invitation",
        "question",
        "privacynotice",
        "registrationsettings",
        "outboxemail",
    ],
)
def test_registrations_admin_changelist_opens_for_organiser(organiser_client, model):
    RegistrationFactory()

    response = organiser_client.get(reverse(f"admin:registrations_{model}_changelist"))

    assert response.status_code == 200


# The list


def test_registration_changelist_queries_with_one_registration(
    organiser_client, django_assert_num_queries
):
    RegistrationFactory()

    with django_assert_num_queries(10):
        response = organiser_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 1


def test_registration_changelist_queries_with_thirty_registrations(
    organiser_client, django_assert_num_queries
):
    event = open_event()
    session = SessionFactory(event=event, requires_signup=True)
    for registration in RegistrationFactory.create_batch(30, event=event):
        SessionPick.objects.create(
            registration=registration, session=session, status=PickStatus.CONFIRMED
        )

    with django_assert_num_queries(10):
        response = organiser_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 30


def test_registration_changelist_shows_waitlist_positions(organiser_client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    second, third = register(event, 1), register(event, 2)

    response = organiser_client.get(CHANGELIST, {"status": "waitlisted"})

    positions = {r.pk: r.position for r in response.context["cl"].result_list}
    assert positions == {second.pk: 1, third.pk: 2}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "waitlisted"}, ["waitlisted"]),
        ({"mode__exact": "online"}, ["online"]),
        ({"organisation_type": "trade_union"}, ["union"]),
        ({"country": "FR"}, ["french"]),
        ({"q": "Syndicat"}, ["union"]),
        ({"q": "waitlisted@example.org"}, ["waitlisted"]),
    ],
)
def test_registration_changelist_filters(organiser_client, params, expected):
    event = open_event()
    union = OrganisationFactory(name="Syndicat Européen", type="trade_union", country="BE")
    french = OrganisationFactory(name="Ministère", type="national_authority", country="FR")
    names = {
        RegistrationFactory(event=event, person=PersonFactory(organisation=union)).pk: "union",
        RegistrationFactory(event=event, person=PersonFactory(organisation=french)).pk: "french",
        RegistrationFactory(
            event=event, mode=AttendanceMode.ONLINE, person__email="online@example.org"
        ).pk: "online",
        RegistrationFactory(
            event=event,
            status=RegistrationStatus.WAITLISTED,
            waitlisted_at=timezone.now(),
            person__email="waitlisted@example.org",
        ).pk: "waitlisted",
    }

    response = organiser_client.get(CHANGELIST, params)

    assert [names[r.pk] for r in response.context["cl"].result_list] == expected


def test_registration_changelist_filters_by_event_and_session_picked(organiser_client):
    event, other = open_event(), open_event()
    session = SessionFactory(event=event, requires_signup=True)
    picked = RegistrationFactory(event=event)
    SessionPick.objects.create(registration=picked, session=session, status=PickStatus.CONFIRMED)
    RegistrationFactory(event=event)
    RegistrationFactory(event=other)

    by_session = organiser_client.get(CHANGELIST, {"session": session.pk})
    by_event = organiser_client.get(CHANGELIST, {"event__id__exact": event.pk})

    assert [r.pk for r in by_session.context["cl"].result_list] == [picked.pk]
    assert len(by_event.context["cl"].result_list) == 2


def test_registration_change_page_shows_its_emails_and_history(organiser_client):
    registration = register(open_event(), 0)

    response = organiser_client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Your registration is confirmed" in content
    assert "Waiting to be sent" in content
    assert "registered" in content
    assert response.context["show_save"] is False


# State changes


def test_approve_action_approves_pending_and_reports_each_refusal(organiser_client, organiser):
    event = pending_event()
    first, second = register(event, 0), register(event, 1)
    confirmed = RegistrationFactory(event=event, person__first_name="Zoe", person__last_name="Li")

    response = organiser_client.post(
        CHANGELIST, select("approve_selected", [first, second, confirmed], index="0")
    )

    assert response.status_code == 302
    assert (
        list(
            Registration.objects.filter(pk__in=[first.pk, second.pk]).values_list(
                "status", flat=True
            )
        )
        == [RegistrationStatus.CONFIRMED] * 2
    )
    assert messages_of(response) == [
        "2 approved; 1 could not be: Zoe Li: This registration is confirmed; that change is "
        "not possible."
    ]
    assert AuditEntry.objects.filter(action="approved", actor=organiser).count() == 2


def test_promote_action_confirms_waitlisted_in_line_order(organiser_client):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    first, second = register(event, 1), register(event, 2)

    response = organiser_client.post(
        CHANGELIST, select("promote_selected", [second, first], index="0")
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RegistrationStatus.CONFIRMED,) * 2
    assert messages_of(response) == ["2 promoted"]
    assert OutboxEmail.objects.filter(kind=EmailKind.PROMOTED).count() == 2


def test_decline_action_asks_for_a_reason_first(organiser_client):
    registration = register(pending_event(), 0)

    response = organiser_client.post(
        CHANGELIST, select("decline_selected", [registration], index="0")
    )

    registration.refresh_from_db()
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    assert registration.status == RegistrationStatus.PENDING


def test_decline_action_declines_with_the_reason_given(organiser_client):
    registration = register(pending_event(), 0)

    response = organiser_client.post(
        CHANGELIST,
        select("decline_selected", [registration], confirm="Decline", reason="Not a member."),
    )

    registration.refresh_from_db()
    entry = AuditEntry.objects.get(registration=registration, action="declined")
    assert response.status_code == 302
    assert registration.status == RegistrationStatus.DECLINED
    assert entry.reason == "Not a member."
    assert messages_of(response) == ["1 declined"]


def test_cancel_action_frees_the_seat_for_the_first_waitlisted(organiser_client):
    event = open_event(capacity_in_person=1)
    seated = register(event, 0)
    waiting = register(event, 1)

    organiser_client.post(
        CHANGELIST,
        select("cancel_selected", [seated], confirm="Cancel", reason="Asked by phone."),
    )

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.get(registration=seated, action="cancelled").reason == (
        "Asked by phone."
    )


def test_cancel_action_across_pages_applies_to_the_filtered_list(organiser_client):
    event = open_event()
    waiting = [
        RegistrationFactory(
            event=event, status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now()
        )
        for _ in range(3)
    ]
    seated = RegistrationFactory(event=event)

    confirm_page = organiser_client.post(
        f"{CHANGELIST}?status__exact=waitlisted",
        select("cancel_selected", waiting[:1], index="0", select_across="1"),
    )
    organiser_client.post(
        f"{CHANGELIST}?status__exact=waitlisted",
        select("cancel_selected", waiting[:1], select_across="1", confirm="Cancel", reason=""),
    )

    seated.refresh_from_db()
    assert confirm_page.context["count"] == 3
    assert Registration.objects.filter(status=RegistrationStatus.CANCELLED).count() == 3
    assert seated.status == RegistrationStatus.CONFIRMED


def test_email_action_queues_a_message_per_registration(
    organiser_client, django_capture_on_commit_callbacks
):
    event = open_event(title="Moving Talents")
    registrations = [RegistrationFactory(event=event) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            CHANGELIST,
            select(
                "email_selected",
                registrations,
                confirm="Send",
                subject="Venue change",
                message="We meet in room B.",
            ),
        )

    emails = OutboxEmail.objects.filter(kind=EmailKind.MESSAGE)
    assert messages_of(response) == ["2 emails queued."]
    assert sorted(e.registration_id for e in emails) == sorted(r.pk for r in registrations)
    assert {e.subject for e in emails} == {"Venue change – Moving Talents"}
    assert "We meet in room B." in mail.outbox[0].body


def test_email_action_without_a_subject_sends_nothing(organiser_client):
    registration = RegistrationFactory()

    response = organiser_client.post(
        CHANGELIST,
        select("email_selected", [registration], confirm="Send", subject="", message="Hi"),
    )

    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert OutboxEmail.objects.count() == 0


# Capacity raised


def test_raising_capacity_promotes_the_first_waitlisted(django_capture_on_commit_callbacks):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    first, second = register(event, 1), register(event, 2)

    with django_capture_on_commit_callbacks(execute=True):
        event.capacity_in_person = 2
        event.save()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )
    assert OutboxEmail.objects.filter(registration=first, kind=EmailKind.PROMOTED).count() == 1


def test_raising_capacity_in_the_admin_promotes_the_first_waitlisted(
    organiser_client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity_in_person=1)
    RegistrationFactory(event=event)
    first, second = (
        RegistrationFactory(
            event=event,
            status=RegistrationStatus.WAITLISTED,
            waitlisted_at=timezone.now() + timedelta(seconds=n),
        )
        for n in range(2)
    )
    data = event_form(
        event.venue, title=event.title, slug=event.slug, status="published", capacity_in_person="2"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("admin:agenda_event_change", args=[event.pk]), data
        )

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 302
    assert (first.status, second.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )


def test_saving_a_draft_event_promotes_nobody(django_capture_on_commit_callbacks):
    event = open_event(capacity_in_person=1)
    register(event, 0)
    waiting = register(event, 1)

    with django_capture_on_commit_callbacks(execute=True):
        event.capacity_in_person = 5
        event.status = EventStatus.DRAFT
        event.save()

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED


# Invitations


def upload(client, event, content: bytes, **extra):
    return client.post(
        IMPORT,
        {
            "event": event.pk,
            "expires_at_0": "",
            "expires_at_1": "",
            "file": SimpleUploadedFile("invitees.csv", content, content_type="text/csv"),
            **extra,
        },
    )


INVITEES = (
    "\ufeffemail;first_name;last_name;organisation;organisation_type;country;note\n"
    "amira@example.org;Amira;Haddad;Ministry of Labour;national_authority;TN;partner guest\n"
    "not-an-email;Bad;Email;;;;\n"
    "lea@example.org;Léa;Roux;Think;think tank;BE;\n"
    "amira@example.org;Amira;Again;;;;\n"
    "tom@example.org;Tom;Kay;;alien;XX;\n"
    "invited@example.org;In;Vited;;;;\n"
).encode()


def test_import_preview_shows_each_row_with_its_errors(organiser_client):
    event = open_event()
    InvitationFactory(event=event, email="invited@example.org")

    response = upload(organiser_client, event, INVITEES)

    rows = {row.line: row.errors for row in response.context["rows"]}
    assert response.context["stage"] == "preview"
    assert rows == {
        2: [],
        3: ["“not-an-email” is not an email address."],
        4: ["Unknown organisation type “think tank”."],
        5: ["Duplicate of line 2."],
        6: [
            "Unknown organisation type “alien”.",
            "Unknown country code “XX”: use two letters, e.g. BE.",
        ],
        7: ["Already invited to this event."],
    }
    assert Invitation.objects.filter(event=event).count() == 1


def test_import_confirm_creates_invitations_only_for_valid_rows(organiser_client, settings):
    settings.SITE_URL = "https://events.example.org"
    event = open_event(slug="moving-talents")
    content = (
        "email,first_name,last_name,organisation\n"
        "Amira@Example.org,Amira,Haddad,Ministry of Labour\n"
        "lea@example.org,Léa,Roux,\n"
        "broken,,,\n"
    ).encode()
    preview = upload(organiser_client, event, content)
    token = preview.context["confirm"].initial["preview"]

    response = organiser_client.post(IMPORT, {"preview": token})

    invitations = Invitation.objects.filter(event=event).order_by("email")
    assert [(i.email, i.max_uses, i.note) for i in invitations] == [
        ("amira@example.org", 1, "Amira Haddad · Ministry of Labour"),
        ("lea@example.org", 1, "Léa Roux"),
    ]
    assert response.context["stage"] == "done"
    links = [link for _invitation, link in response.context["links"]]
    assert sorted(links) == sorted(
        f"https://events.example.org/events/moving-talents/register/?code={i.code}"
        for i in invitations
    )
    assert len(mail.outbox) == 0


def test_import_confirm_twice_invites_nobody_twice(organiser_client):
    event = open_event()
    preview = upload(organiser_client, event, b"email\nana@example.org\n")
    token = preview.context["confirm"].initial["preview"]

    organiser_client.post(IMPORT, {"preview": token})
    second = organiser_client.post(IMPORT, {"preview": token})

    assert Invitation.objects.filter(event=event).count() == 1
    assert [row.errors for row in second.context["refused"]] == [["Already invited to this event."]]


def test_import_confirm_with_an_altered_preview_creates_nothing(organiser_client):
    event = open_event()
    preview = upload(organiser_client, event, b"email\nana@example.org\n")
    token = preview.context["confirm"].initial["preview"]

    response = organiser_client.post(IMPORT, {"preview": token[:-2] + "xx"})

    assert Invitation.objects.count() == 0
    assert response.context["stage"] == "upload"
    assert messages_of(response) == [
        "This preview has expired or was altered. Please upload the file again."
    ]


def test_import_sets_the_expiry_chosen(organiser_client):
    event = open_event()
    preview = upload(
        organiser_client,
        event,
        b"email\nana@example.org\n",
        expires_at_0="2099-01-31",
        expires_at_1="18:00",
    )
    token = preview.context["confirm"].initial["preview"]

    organiser_client.post(IMPORT, {"preview": token})

    invitation = Invitation.objects.get(event=event)
    assert timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M") == (
        "2099-01-31 18:00"
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\n \n", "The file is empty."),
        (b"name\nAna\n", "The first line must name the columns"),
        ("email\nana@example.org\n".encode("utf-16"), "The file is not UTF-8 text."),
        (b"email\n\n", "The file has no invitees below its first line."),
    ],
)
def test_import_unreadable_file_is_refused_beside_the_file(organiser_client, content, error):
    response = upload(organiser_client, open_event(), content)

    assert response.context["stage"] == "upload"
    assert str(response.context["form"].errors["file"][0]).startswith(error)


def test_invitation_changelist_shows_the_link(organiser_client, settings):
    settings.SITE_URL = "https://events.example.org"
    invitation = InvitationFactory(event=open_event(slug="lmpn-2030"), email="a@example.org")

    response = organiser_client.get(reverse("admin:registrations_invitation_changelist"))

    assert (
        f"https://events.example.org/events/lmpn-2030/register/?code={invitation.code}"
        in response.content.decode()
    )


def test_revoke_action_revokes_the_selected_invitations(organiser_client):
    kept, revoked = InvitationFactory(), InvitationFactory()

    response = organiser_client.post(
        reverse("admin:registrations_invitation_changelist"),
        select("revoke_selected", [revoked], index="0"),
    )

    kept.refresh_from_db()
    revoked.refresh_from_db()
    assert kept.revoked_at is None
    assert revoked.revoked_at is not None
    assert messages_of(response) == ["1 invitation revoked."]


def test_invitation_added_in_admin_records_its_creator(organiser_client, organiser):
    event = open_event()

    organiser_client.post(
        reverse("admin:registrations_invitation_add"),
        {
            "event": event.pk,
            "email": "",
            "note": "Partner delegation",
            "max_uses": "5",
            "expires_at_0": "",
            "expires_at_1": "",
            "revoked_at_0": "",
            "revoked_at_1": "",
        },
    )

    invitation = Invitation.objects.get(event=event)
    assert (invitation.max_uses, invitation.created_by) == (5, organiser)


# Questions


def test_question_with_choices_needs_two_options(organiser_client):
    event = open_event()

    response = organiser_client.post(
        reverse("admin:registrations_question_add"),
        {
            "event": event.pk,
            "label": "Which workshop?",
            "help_text": "",
            "kind": "single_choice",
            "choices": '["Only one"]',
            "position": "0",
        },
    )

    assert response.status_code == 200
    assert "choices" in response.context["adminform"].form.errors


# The outbox


def test_retry_failed_action_sends_failed_emails_again(
    organiser_client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    failed = OutboxEmail.objects.create(
        registration=registration,
        kind=EmailKind.CONFIRMATION,
        to=registration.person.email,
        subject="Confirmed",
        body_text="Hello",
        status=EmailStatus.FAILED,
        attempts=8,
        last_error="SMTPDataError: 554",
    )
    sent = OutboxEmail.objects.create(
        registration=registration,
        kind=EmailKind.CONFIRMATION,
        to=registration.person.email,
        subject="Confirmed",
        body_text="Hello",
        status=EmailStatus.SENT,
        sent_at=timezone.now() - timedelta(days=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("admin:registrations_outboxemail_changelist"),
            select("retry_failed", [failed, sent], index="0"),
        )

    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT
    assert len(mail.outbox) == 1
    assert messages_of(response) == [
        "1 email queued again. 1 had not failed and was left as it is."
    ]


def test_person_page_shows_events_registered_for(organiser_client):
    registration = RegistrationFactory(event=open_event(title="Forum on fair recruitment"))

    response = organiser_client.get(
        reverse("admin:members_person_change", args=[registration.person.pk])
    )

    assert response.status_code == 200
    assert "Forum on fair recruitment" in response.content.decode()
    assert "Confirmed" in response.content.decode()

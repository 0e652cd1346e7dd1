from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from agenda.enums import EventStatus, SpeakerRole
from agenda.models import Event, Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")
EVENT_INLINES = ("tracks", "sessions", "documents", "photos")
ADMIN_PAGES = [
    "agenda_event",
    "agenda_session",
    "agenda_speaker",
    "agenda_venue",
    "agenda_room",
    "members_person",
    "members_organisation",
]


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


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def event_form(venue, **fields) -> dict[str, str]:
    data = {
        "title": "Moving Talents 2030",
        "slug": "moving-talents-2030",
        "theme": "",
        "kind": "conference",
        "format": "in_person",
        "status": "draft",
        "audience": "open",
        "timezone": "Europe/Brussels",
        "start_0": "2030-05-14",
        "start_1": "09:00",
        "end_0": "2030-05-14",
        "end_1": "17:00",
        "venue": str(venue.pk),
        "online_url": "",
        "capacity_in_person": "100",
        "capacity_online": "",
        "registration_opens_0": "",
        "registration_opens_1": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
        "summary": "",
        "description": "",
    }
    for prefix in EVENT_INLINES:
        data |= management(prefix)
    return data | fields


def inline_session(start: str, end: str, title: str = "Opening plenary") -> dict[str, str]:
    return management("sessions", total=1) | {
        "sessions-0-title": title,
        "sessions-0-kind": "plenary",
        "sessions-0-start_0": "2030-05-14",
        "sessions-0-start_1": start,
        "sessions-0-end_0": "2030-05-14",
        "sessions-0-end_1": end,
        "sessions-0-track": "",
        "sessions-0-room": "",
        "sessions-0-capacity": "",
    }


# Who gets in


@pytest.mark.parametrize(
    "model",
    ADMIN_PAGES,
)
def test_admin_changelist_opens_for_organiser(organiser_client, model):
    SessionSpeakerFactory(speaker__person=PersonFactory())
    RoomFactory()

    response = organiser_client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    ADMIN_PAGES,
)
def test_admin_add_page_opens_for_organiser(organiser_client, model):
    response = organiser_client.get(reverse(f"admin:{model}_add"))

    assert response.status_code == 200


def test_admin_change_pages_open_for_organiser(organiser_client):
    appearance = SessionSpeakerFactory(speaker__person=PersonFactory())
    session = appearance.session
    room = RoomFactory(venue=session.event.venue)
    pages = [
        ("agenda_event", session.event.pk),
        ("agenda_session", session.pk),
        ("agenda_speaker", appearance.speaker.pk),
        ("agenda_venue", session.event.venue.pk),
        ("agenda_room", room.pk),
        ("members_person", appearance.speaker.person.pk),
        ("members_organisation", appearance.speaker.organisation.pk),
    ]

    statuses = [
        organiser_client.get(reverse(f"admin:{name}_change", args=[pk])).status_code
        for name, pk in pages
    ]

    assert statuses == [200] * len(pages)


def test_admin_non_staff_user_is_sent_to_login(client):
    client.force_login(get_user_model().objects.create_user("member"))

    response = client.get(reverse("admin:agenda_event_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_anonymous_is_sent_to_login(client):
    response = client.get(reverse("admin:agenda_event_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_admin_organiser_cannot_open_accounts(organiser_client, page):
    response = organiser_client.get(reverse(page))

    assert response.status_code == 403


def test_admin_organiser_does_not_see_user_accounts_on_a_person(organiser_client):
    person = PersonFactory()

    response = organiser_client.get(reverse("admin:members_person_change", args=[person.pk]))

    assert "user" not in response.context["adminform"].form.fields
    assert "first_name" in response.context["adminform"].form.fields


# Events with their sessions


def test_admin_event_created_with_an_inline_session(organiser_client):
    venue = VenueFactory()
    data = event_form(venue) | inline_session("09:30", "10:30")

    response = organiser_client.post(reverse("admin:agenda_event_add"), data)

    assert response.status_code == 302
    event = Event.objects.get()
    assert event.title == "Moving Talents 2030"
    assert event.start == datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS)
    assert list(event.sessions.values_list("title", "start")) == [
        ("Opening plenary", datetime(2030, 5, 14, 9, 30, tzinfo=BRUSSELS))
    ]


def test_admin_event_times_are_typed_in_the_events_zone(organiser_client):
    venue = VenueFactory()
    data = event_form(venue, timezone="Europe/Lisbon") | inline_session("09:30", "10:30")

    organiser_client.post(reverse("admin:agenda_event_add"), data)

    event = Event.objects.get()
    assert event.start.astimezone(UTC) == datetime(2030, 5, 14, 8, 0, tzinfo=UTC)
    assert event.sessions.get().start.astimezone(UTC) == datetime(2030, 5, 14, 8, 30, tzinfo=UTC)


def test_admin_event_change_page_shows_times_in_the_events_zone(organiser_client):
    event = EventFactory(
        timezone="America/New_York", start=datetime(2030, 5, 14, 13, 0, tzinfo=UTC)
    )

    response = organiser_client.get(reverse("admin:agenda_event_change", args=[event.pk]))

    assert 'name="start_1" value="09:00:00"' in response.content.decode()


def test_admin_event_inline_session_outside_the_event_is_refused(organiser_client):
    venue = VenueFactory()
    data = event_form(venue) | inline_session("18:00", "19:00")

    response = organiser_client.post(reverse("admin:agenda_event_add"), data)

    assert response.status_code == 200
    session_errors = response.context["inline_admin_formsets"][1].formset.errors
    assert session_errors == [
        {
            "start": [
                "The session must take place within its event "
                "(2030-05-14 09:00 – 2030-05-14 17:00)."
            ]
        }
    ]
    assert "The session must take place within its event" in response.content.decode()
    assert Event.objects.count() == 0
    assert Session.objects.count() == 0


def test_admin_event_two_inline_sessions_in_one_room_at_once_are_refused(organiser_client):
    event = EventFactory(status=EventStatus.DRAFT)
    room = RoomFactory(venue=event.venue, name="Europa")
    data = event_form(event.venue, slug=event.slug) | management("sessions", total=2)
    for index, title in enumerate(["Panel A", "Panel B"]):
        data |= {
            f"sessions-{index}-title": title,
            f"sessions-{index}-kind": "panel",
            f"sessions-{index}-start_0": "2030-05-14",
            f"sessions-{index}-start_1": "10:00",
            f"sessions-{index}-end_0": "2030-05-14",
            f"sessions-{index}-end_1": "11:00",
            f"sessions-{index}-room": str(room.pk),
        }

    response = organiser_client.post(reverse("admin:agenda_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.errors[1] == {
        "room": ["Europa is already booked at this time for “Panel A”."]
    }
    assert Session.objects.count() == 0


def test_admin_event_session_inline_offers_only_the_events_tracks(organiser_client):
    event = EventFactory()
    TrackFactory(event=event, name="Skills")
    TrackFactory(name="Green transition")

    response = organiser_client.get(reverse("admin:agenda_event_change", args=[event.pk]))

    session_form = response.context["inline_admin_formsets"][1].formset.empty_form
    assert [track.name for track in session_form.fields["track"].queryset] == ["Skills"]


def test_admin_event_changelist_filters_by_status(organiser_client):
    EventFactory(title="Published one")
    EventFactory(title="Draft one", draft=True)

    response = organiser_client.get(
        reverse("admin:agenda_event_changelist"), {"status__exact": "draft"}
    )

    assert [event.title for event in response.context["cl"].result_list] == ["Draft one"]


def test_admin_person_change_page_shows_sessions_spoken_at(organiser_client):
    person = PersonFactory()
    SessionSpeakerFactory(
        speaker=SpeakerFactory(person=person),
        session__title="Scaling up action in key sectors",
        role=SpeakerRole.MODERATOR,
    )

    response = organiser_client.get(reverse("admin:members_person_change", args=[person.pk]))

    assert "Scaling up action in key sectors" in response.content.decode()
    assert "Moderator" in response.content.decode()


def test_admin_people_changelist_filters_by_organisation_type(organiser_client):
    PersonFactory(last_name="Union", organisation=OrganisationFactory(type="trade_union"))
    PersonFactory(last_name="Ngo", organisation=OrganisationFactory(type="ngo"))

    response = organiser_client.get(
        reverse("admin:members_person_changelist"), {"organisation_type": "trade_union"}
    )

    assert [person.last_name for person in response.context["cl"].result_list] == ["Union"]


# A speaker in two rooms at once


def session_form(session, **fields) -> dict[str, str]:
    start = session.start.astimezone(BRUSSELS)
    end = session.end.astimezone(BRUSSELS)
    data = {
        "event": str(session.event.pk),
        "title": session.title,
        "abstract": "",
        "kind": session.kind,
        "track": "",
        "room": str(session.room_id or ""),
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M"),
        "end_0": end.strftime("%Y-%m-%d"),
        "end_1": end.strftime("%H:%M"),
        "capacity": "",
    }
    return data | management("appearances") | fields


def test_admin_session_speaker_in_two_places_is_warned(organiser_client):
    speaker = SpeakerFactory(name="Ana Pereira")
    SessionSpeakerFactory(speaker=speaker, session__title="Skills partnerships panel")
    panel = SessionFactory(title="Ethical recruitment workshop")
    data = session_form(panel) | management("appearances", total=1)
    data |= {
        "appearances-0-speaker": str(speaker.pk),
        "appearances-0-role": "speaker",
        "appearances-0-position": "0",
    }

    response = organiser_client.post(
        reverse("admin:agenda_session_change", args=[panel.pk]), data, follow=True
    )

    warnings = [str(message) for message in get_messages(response.wsgi_request)]
    assert SessionSpeaker.objects.filter(session=panel, speaker=speaker).count() == 1
    assert len(warnings) == 2
    assert warnings[0].startswith(
        "Ana Pereira is in two places at once: “Ethical recruitment workshop” overlaps "
        "“Skills partnerships panel”"
    )


def test_admin_session_speaker_at_another_time_is_not_warned(organiser_client):
    speaker = SpeakerFactory()
    SessionSpeakerFactory(speaker=speaker)
    later = SessionFactory(
        start=datetime(2030, 5, 14, 11, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 5, 14, 12, 0, tzinfo=BRUSSELS),
    )
    data = session_form(later) | management("appearances", total=1)
    data |= {"appearances-0-speaker": str(speaker.pk), "appearances-0-role": "speaker"}
    data |= {"appearances-0-position": "0"}

    response = organiser_client.post(
        reverse("admin:agenda_session_change", args=[later.pk]), data, follow=True
    )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert [message for message in messages if "two places" in message] == []
    assert later.appearances.count() == 1


# Duplicating an event


def test_admin_event_change_page_offers_duplicate(organiser_client):
    event = EventFactory()

    response = organiser_client.get(reverse("admin:agenda_event_change", args=[event.pk]))

    assert reverse("admin:agenda_event_duplicate", args=[event.pk]) in response.content.decode()


def test_admin_duplicate_event_end_to_end(organiser_client, organiser):
    event = EventFactory(title="Moving Talents 2030", slug="moving-talents-2030")
    room = RoomFactory(venue=event.venue)
    session = SessionFactory(event=event, title="Opening plenary", room=room)
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(name="Ana Pereira"))
    url = reverse("admin:agenda_event_duplicate", args=[event.pk])

    form_page = organiser_client.get(url)
    response = organiser_client.post(
        url,
        {
            "title": "Moving Talents 2031",
            "slug": "moving-talents-2031",
            "start": "2031-11-18T09:00",
        },
    )

    copy = Event.objects.get(slug="moving-talents-2031")
    assert form_page.status_code == 200
    assert "documents, photos, the online meeting link" in form_page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:agenda_event_change", args=[copy.pk])
    assert copy.status == EventStatus.DRAFT
    assert copy.start == datetime(2031, 11, 18, 9, 0, tzinfo=BRUSSELS)
    assert list(copy.sessions.values_list("title", "room", "speakers__name")) == [
        ("Opening plenary", room.pk, "Ana Pereira")
    ]


def test_admin_duplicate_event_existing_slug_is_refused_beside_the_field(organiser_client):
    event = EventFactory(slug="moving-talents-2030")
    EventFactory(slug="moving-talents-2031")

    response = organiser_client.post(
        reverse("admin:agenda_event_duplicate", args=[event.pk]),
        {
            "title": "Moving Talents 2031",
            "slug": "moving-talents-2031",
            "start": "2031-11-18T09:00",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "slug": ["An event with the address “moving-talents-2031” exists already; choose another."]
    }
    assert Event.objects.count() == 2


def test_admin_duplicate_action_leads_to_the_form(organiser_client):
    event = EventFactory()

    response = organiser_client.post(
        reverse("admin:agenda_event_changelist"),
        {"action": "duplicate_selected", "_selected_action": [str(event.pk)]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:agenda_event_duplicate", args=[event.pk])


def test_admin_duplicate_refused_to_a_user_who_cannot_add_events(client):
    user = get_user_model().objects.create_user("viewer", is_staff=True)
    client.force_login(user)
    event = EventFactory()

    response = client.get(reverse("admin:agenda_event_duplicate", args=[event.pk]))

    assert response.status_code == 403


# Query counts


def test_admin_event_changelist_queries_with_one_event(organiser_client, django_assert_num_queries):
    SessionFactory(event=EventFactory())
    url = reverse("admin:agenda_event_changelist")

    with django_assert_num_queries(9):
        response = organiser_client.get(url)

    assert len(response.context["cl"].result_list) == 1


def test_admin_event_changelist_queries_with_thirty_events(
    organiser_client, django_assert_num_queries
):
    for day in range(30):
        event = EventFactory(
            start=datetime(2030, 1, 1, 9, 0, tzinfo=BRUSSELS) + timedelta(days=day)
        )
        SessionFactory(event=event)
    url = reverse("admin:agenda_event_changelist")

    with django_assert_num_queries(9):
        response = organiser_client.get(url)

    assert len(response.context["cl"].result_list) == 30


def sessions_with_speakers(count: int) -> None:
    event = EventFactory()
    for index in range(count):
        session = SessionFactory(
            event=event,
            start=event.start + timedelta(minutes=10 * index),
            end=event.start + timedelta(minutes=10 * index + 5),
            track=TrackFactory(event=event),
            room=RoomFactory(venue=event.venue),
        )
        SessionSpeakerFactory(session=session, speaker__person=PersonFactory())
        SessionSpeakerFactory(session=session)


@pytest.mark.parametrize("count", [1, 30])
def test_admin_session_changelist_queries_do_not_grow(
    organiser_client, django_assert_num_queries, count
):
    sessions_with_speakers(count)

    with django_assert_num_queries(10):
        response = organiser_client.get(reverse("admin:agenda_session_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 30])
def test_admin_speaker_changelist_queries_do_not_grow(
    organiser_client, django_assert_num_queries, count
):
    sessions_with_speakers(count)

    with django_assert_num_queries(7):
        response = organiser_client.get(reverse("admin:agenda_speaker_changelist"))

    assert len(response.context["cl"].result_list) == 2 * count


@pytest.mark.parametrize("count", [1, 30])
def test_admin_person_changelist_queries_do_not_grow(
    organiser_client, django_assert_num_queries, count
):
    PersonFactory.create_batch(count)

    with django_assert_num_queries(7):
        response = organiser_client.get(reverse("admin:members_person_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 30])
def test_admin_organisation_changelist_queries_do_not_grow(
    organiser_client, django_assert_num_queries, count
):
    OrganisationFactory.create_batch(count)

    with django_assert_num_queries(7):
        response = organiser_client.get(reverse("admin:members_organisation_changelist"))

    assert len(response.context["cl"].result_list) == count

from datetime import timedelta

import pytest

from agenda.enums import EventStatus
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


def test_events_list_excludes_drafts(client):
    EventFactory(title="Published meeting")
    EventFactory(title="Secret draft", status=EventStatus.DRAFT)

    response = client.get("/api/v1/events/")

    assert response.status_code == 200
    assert [event["title"] for event in response.json()["results"]] == ["Published meeting"]


def test_event_detail_of_draft_is_404(client):
    EventFactory(slug="secret", status=EventStatus.DRAFT)

    response = client.get("/api/v1/events/secret/")

    assert response.status_code == 404


def test_event_detail_never_carries_online_link(client):
    EventFactory(slug="webinar", online=True, online_url="https://meet.example.org/secret-room")

    response = client.get("/api/v1/events/webinar/")

    assert response.status_code == 200
    assert "secret-room" not in response.content.decode()


def test_events_list_filters_by_format(client):
    EventFactory(title="In the room")
    EventFactory(title="On the screen", online=True)

    response = client.get("/api/v1/events/", {"event_format": "online"})

    assert [event["title"] for event in response.json()["results"]] == ["On the screen"]


@pytest.mark.parametrize("count", [1, 20])
def test_events_list_query_count_is_constant(client, django_assert_num_queries, count):
    EventFactory.create_batch(count)

    with django_assert_num_queries(2):  # count, page with venues
        response = client.get("/api/v1/events/")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_event_sessions_list_query_count_is_constant(client, django_assert_num_queries, count):
    event = EventFactory()
    room = RoomFactory(venue=event.venue)
    track = TrackFactory(event=event)
    for index in range(count):
        session = SessionFactory(
            event=event,
            room=room,
            track=track,
            start=event.start + timedelta(minutes=10 * index),
            end=event.start + timedelta(minutes=10 * index + 10),
        )
        SessionSpeakerFactory(session=session)

    with django_assert_num_queries(4):  # event, count, sessions with room and track, speakers
        response = client.get(f"/api/v1/events/{event.slug}/sessions/")

    sessions = response.json()["results"]
    assert len(sessions) == count
    assert sessions[0]["room"] == room.name
    assert len(sessions[0]["speakers"]) == 1


def test_sessions_of_draft_event_are_404(client):
    session = SessionFactory(event=EventFactory(status=EventStatus.DRAFT))

    response = client.get(f"/api/v1/events/{session.event.slug}/sessions/")

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 25])
def test_speakers_list_query_count_is_constant(client, django_assert_num_queries, count):
    event = EventFactory()
    for index in range(count):
        SessionSpeakerFactory(
            session=SessionFactory(
                event=event,
                start=event.start + timedelta(minutes=5 * index),
                end=event.start + timedelta(minutes=5 * index + 5),
            )
        )

    with django_assert_num_queries(2):
        response = client.get("/api/v1/speakers/")

    assert len(response.json()["results"]) == count


def test_speakers_list_omits_speakers_of_drafts_only(client):
    SessionSpeakerFactory(session=SessionFactory(event=EventFactory(status=EventStatus.DRAFT)))

    response = client.get("/api/v1/speakers/")

    assert response.json()["results"] == []


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/events/" in schema.content
    assert docs.status_code == 200

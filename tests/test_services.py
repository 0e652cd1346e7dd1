from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model

from agenda.enums import EventStatus, SpeakerRole
from agenda.exceptions import ScheduleClash, SlugTaken
from agenda.models import Document, Event, Session, SessionSpeaker
from agenda.services import duplicate_event
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def actor():
    return get_user_model().objects.create_user("organiser", is_staff=True)


@pytest.fixture
def winter_event():
    """An event before the spring DST change in Brussels (2030-03-31), with a full agenda."""
    start = datetime(2030, 3, 20, 9, 0, tzinfo=BRUSSELS)
    event = EventFactory(
        slug="spring-meeting-2030",
        title="Spring meeting 2030",
        start=start,
        end=start + timedelta(days=1, hours=8),
        online_url="https://meet.example.org/spring",
        registration_opens=datetime(2030, 2, 1, 9, 0, tzinfo=BRUSSELS),
        registration_closes=datetime(2030, 3, 18, 9, 0, tzinfo=BRUSSELS),
        capacity_in_person=80,
    )
    room = RoomFactory(venue=event.venue, name="Auditorium")
    track = TrackFactory(event=event, name="Skills")
    opening = SessionFactory(event=event, title="Opening", room=room, track=track, capacity=60)
    day_two = SessionFactory(
        event=event,
        title="Day two panel",
        start=datetime(2030, 3, 21, 14, 30, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 21, 16, 0, tzinfo=BRUSSELS),
    )
    speaker = SpeakerFactory(name="Ana Pereira")
    SessionSpeakerFactory(session=opening, speaker=speaker, role=SpeakerRole.CHAIR)
    SessionSpeakerFactory(session=day_two, speaker=speaker, role=SpeakerRole.MODERATOR)
    return event


def duplicate(event, actor, **overrides):
    arguments = {
        "event": event,
        "title": "Spring meeting 2030, second edition",
        "slug": "spring-meeting-2030-bis",
        "start": datetime(2030, 4, 10, 9, 0, tzinfo=BRUSSELS),
        "actor": actor,
    }
    return duplicate_event(**(arguments | overrides))


def local_times(event):
    return [
        (session.title, session.start.astimezone(BRUSSELS), session.end.astimezone(BRUSSELS))
        for session in event.sessions.order_by("start")
    ]


def test_duplicate_event_keeps_local_times_across_dst(winter_event, actor):
    copy = duplicate(winter_event, actor)

    assert local_times(copy) == [
        (
            "Opening",
            datetime(2030, 4, 10, 9, 0, tzinfo=BRUSSELS),
            datetime(2030, 4, 10, 10, 0, tzinfo=BRUSSELS),
        ),
        (
            "Day two panel",
            datetime(2030, 4, 11, 14, 30, tzinfo=BRUSSELS),
            datetime(2030, 4, 11, 16, 0, tzinfo=BRUSSELS),
        ),
    ]
    # Summer time: 09:00 in Brussels is 07:00 UTC, where it was 08:00 UTC in March.
    assert copy.sessions.order_by("start").first().start.astimezone(ZoneInfo("UTC")).hour == 7
    assert copy.end.astimezone(BRUSSELS) == datetime(2030, 4, 11, 17, 0, tzinfo=BRUSSELS)


def test_duplicate_event_moves_sessions_with_a_new_start_time(winter_event, actor):
    copy = duplicate(winter_event, actor, start=datetime(2030, 4, 10, 10, 30, tzinfo=BRUSSELS))

    assert [start.time().isoformat() for _title, start, _end in local_times(copy)] == [
        "10:30:00",
        "16:00:00",
    ]


def test_duplicate_event_copies_tracks_sessions_and_appearances(winter_event, actor):
    copy = duplicate(winter_event, actor)

    opening = copy.sessions.get(title="Opening")
    assert list(copy.tracks.values_list("name", flat=True)) == ["Skills"]
    assert opening.track.event == copy
    assert opening.room.name == "Auditorium"
    assert opening.capacity == 60
    assert sorted(
        SessionSpeaker.objects.filter(session__event=copy).values_list("speaker__name", "role")
    ) == [("Ana Pereira", SpeakerRole.CHAIR), ("Ana Pereira", SpeakerRole.MODERATOR)]
    assert (
        SessionSpeaker.objects.filter(session__event=copy).values("speaker").distinct().count() == 1
    )


def test_duplicate_event_keeps_the_retention_periods(winter_event, actor):
    winter_event.retention_days = 400
    winter_event.special_category_days = 10
    winter_event.save(update_fields=["retention_days", "special_category_days"])

    copy = duplicate(winter_event, actor)

    assert (copy.retention_days, copy.special_category_days) == (400, 10)


def test_duplicate_event_result_is_a_draft_without_edition_details(winter_event, actor):
    Document.objects.create(event=winter_event, title="Report", file="documents/report.pdf")

    copy = duplicate(winter_event, actor)

    assert copy.status == EventStatus.DRAFT
    assert copy.title == "Spring meeting 2030, second edition"
    assert copy.venue == winter_event.venue
    assert copy.capacity_in_person == 80
    assert copy.audience == winter_event.audience
    assert copy.online_url == ""
    assert (copy.registration_opens, copy.registration_closes) == (None, None)
    assert copy.documents.count() == 0
    assert copy.photos.count() == 0


def test_duplicate_event_leaves_the_original_untouched(winter_event, actor):
    before = local_times(winter_event)

    duplicate(winter_event, actor)

    winter_event.refresh_from_db()
    assert local_times(winter_event) == before
    assert winter_event.status == EventStatus.PUBLISHED
    assert winter_event.slug == "spring-meeting-2030"
    assert winter_event.tracks.count() == 1
    assert SessionSpeaker.objects.filter(session__event=winter_event).count() == 2


def test_duplicate_event_writes_an_admin_log_entry(winter_event, actor):
    copy = duplicate(winter_event, actor)

    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.action_flag) == (actor, str(copy.pk), ADDITION)
    assert "Spring meeting 2030" in entry.change_message


def test_duplicate_event_refuses_an_existing_slug(winter_event, actor):
    with pytest.raises(SlugTaken) as refused:
        duplicate(winter_event, actor, slug="spring-meeting-2030")

    assert refused.value.field == "slug"
    assert refused.value.code == "slug_taken"
    assert Event.objects.count() == 1
    assert Session.objects.count() == 2


def test_duplicate_event_refuses_a_room_booked_at_the_new_time(winter_event, actor):
    auditorium = winter_event.sessions.get(title="Opening").room
    other = EventFactory(
        start=datetime(2030, 4, 10, 8, 0, tzinfo=BRUSSELS), venue=winter_event.venue
    )
    SessionFactory(
        event=other,
        title="Board meeting",
        room=auditorium,
        start=datetime(2030, 4, 10, 8, 30, tzinfo=BRUSSELS),
    )

    with pytest.raises(ScheduleClash) as refused:
        duplicate(winter_event, actor)

    assert "Board meeting" in str(refused.value.message)
    assert Event.objects.filter(slug="spring-meeting-2030-bis").exists() is False
    assert LogEntry.objects.count() == 0

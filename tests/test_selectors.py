from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agenda.selectors import (
    agenda_days,
    event_sessions,
    speaker_conflicts,
    upcoming_and_past_events,
)
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_agenda_days_groups_by_local_day_across_dst_change():
    # Clocks in Brussels go forward at 02:00 on 31 March 2030.
    event = EventFactory(
        start=datetime(2030, 3, 30, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 31, 17, 0, tzinfo=BRUSSELS),
    )
    SessionFactory(event=event, title="Saturday morning", start=event.start)
    SessionFactory(
        event=event,
        title="Sunday morning",
        start=datetime(2030, 3, 31, 9, 0, tzinfo=BRUSSELS),
        end=datetime(2030, 3, 31, 10, 0, tzinfo=BRUSSELS),
    )

    days = agenda_days(event=event, sessions=event_sessions(event=event))

    assert [day.day.isoformat() for day in days] == ["2030-03-30", "2030-03-31"]
    assert [slot.start.strftime("%H:%M %Z") for day in days for slot in day.slots] == [
        "09:00 CET",
        "09:00 CEST",
    ]


def test_agenda_days_puts_parallel_sessions_in_one_slot():
    event = EventFactory()
    track_a, track_b = TrackFactory(event=event, position=1), TrackFactory(event=event, position=2)
    SessionFactory(event=event, title="Breakout B", track=track_b)
    SessionFactory(event=event, title="Breakout A", track=track_a)
    SessionFactory(
        event=event,
        title="Lunch",
        start=event.start + timedelta(hours=1),
        end=event.start + timedelta(hours=2),
    )

    days = agenda_days(event=event, sessions=event_sessions(event=event))

    assert [[s.title for s in slot.sessions] for slot in days[0].slots] == [
        ["Breakout A", "Breakout B"],
        ["Lunch"],
    ]


def test_upcoming_and_past_events_split_at_now():
    now = datetime(2030, 6, 1, 12, 0, tzinfo=BRUSSELS)
    past = EventFactory(start=now - timedelta(days=10), end=now - timedelta(days=9))
    running = EventFactory(start=now - timedelta(hours=2), end=now + timedelta(hours=2))
    later = EventFactory(start=now + timedelta(days=3), end=now + timedelta(days=4))
    EventFactory(start=now + timedelta(days=1), end=now + timedelta(days=2), draft=True)

    upcoming, ended = upcoming_and_past_events(now=now)

    assert upcoming == [running, later]
    assert ended == [past]


def test_speaker_conflicts_finds_overlapping_session_elsewhere():
    event = EventFactory()
    speaker = SpeakerFactory(name="Maria Papadopoulou")
    first = SessionFactory(event=event, title="Panel")
    second = SessionFactory(
        event=event,
        title="Workshop",
        start=event.start + timedelta(minutes=30),
        end=event.start + timedelta(minutes=90),
    )
    SessionSpeakerFactory(session=first, speaker=speaker)
    SessionSpeakerFactory(session=second, speaker=speaker)

    conflicts = speaker_conflicts(session=first)

    assert conflicts == [(speaker, second)]


def test_speaker_conflicts_ignores_back_to_back_sessions():
    event = EventFactory()
    speaker = SpeakerFactory()
    first = SessionFactory(event=event)
    second = SessionFactory(event=event, start=first.end, end=first.end + timedelta(hours=1))
    SessionSpeakerFactory(session=first, speaker=speaker)
    SessionSpeakerFactory(session=second, speaker=speaker)

    assert speaker_conflicts(session=first) == []

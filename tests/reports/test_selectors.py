"""Who attended, at which sessions, for how many hours: the rules of ``reports.selectors``."""

from datetime import datetime, timedelta

import pytest

from agenda.enums import EventFormat, SessionKind
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.models import SessionPick
from reports.selectors import (
    attended_registration_ids,
    event_attendance,
    hours_attended,
    hours_by_registration,
    registration_attendance,
    registrations_with_attendance,
    session_attendance,
)
from tests.factories import BRUSSELS, EventFactory, SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import AttendanceMarkFactory, OnlineJoinFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2030, 5, 14, tzinfo=BRUSSELS)


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute)


@pytest.fixture
def event():
    """9:00–17:00, one day, with a programme of plenaries, parallel sessions and breaks."""
    return EventFactory(start=at(9), end=at(17), format=EventFormat.HYBRID, capacity_online=50)


@pytest.fixture
def programme(event):
    def session(title, kind, start, end, **kwargs):
        return SessionFactory(event=event, title=title, kind=kind, start=start, end=end, **kwargs)

    return {
        "opening": session("Opening", SessionKind.PLENARY, at(9), at(10)),
        "panel": session("Panel A", SessionKind.PANEL, at(10, 30), at(12)),
        "workshop": session("Workshop B", SessionKind.WORKSHOP, at(10, 30), at(12)),
        "lunch": session("Lunch", SessionKind.BREAK, at(12), at(13)),
        "afternoon": session("Afternoon panel", SessionKind.PANEL, at(13), at(14, 30)),
        "drinks": session("Networking", SessionKind.NETWORKING, at(16), at(17)),
    }


def registration(event, **kwargs):
    return RegistrationFactory(event=event, **kwargs)


def door(reg, when=None):
    return CheckInFactory(registration=reg, at=when or reg.event.start)


def scan(reg, session):
    return CheckInFactory(registration=reg, session=session, at=session.start)


def ids(*sessions):
    return {s.pk for s in sessions}


# --- the event -----------------------------------------------------------------------------------


def test_attended_counts_door_session_checkins_and_online_joins(event, programme):
    at_door = registration(event)
    at_session = registration(event)
    online = registration(event, mode=AttendanceMode.ONLINE)
    absent = registration(event)
    door(at_door)
    scan(at_session, programme["workshop"])
    OnlineJoinFactory(registration=online, joined_at=at(8, 50))

    attended = attended_registration_ids(event=event)

    assert attended == {at_door.pk, at_session.pk, online.pk}
    assert absent.pk not in attended


def test_attended_ignores_undone_checkins(event):
    reg = registration(event)
    CheckInFactory(registration=reg, undone_at=at(9, 5))

    assert attended_registration_ids(event=event) == set()


def test_attended_event_mark_decides_both_ways(event):
    scanned_by_mistake = registration(event)
    came_unscanned = registration(event)
    door(scanned_by_mistake)
    AttendanceMarkFactory(registration=scanned_by_mistake, attended=False)
    AttendanceMarkFactory(registration=came_unscanned, attended=True)

    assert attended_registration_ids(event=event) == {came_unscanned.pk}


def test_attended_counts_a_session_mark_as_attending(event, programme):
    reg = registration(event)
    AttendanceMarkFactory(registration=reg, session=programme["panel"], attended=True)

    assert attended_registration_ids(event=event) == {reg.pk}


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING],
)
def test_attended_leaves_out_unconfirmed_registrations(event, status):
    reg = registration(event, status=status, waitlisted_at=at(0))
    door(reg)
    AttendanceMarkFactory(registration=reg, attended=True)

    assert attended_registration_ids(event=event) == set()


def test_attended_leaves_out_other_events(event):
    other = registration(EventFactory())
    door(other)

    assert attended_registration_ids(event=event) == set()


# --- sessions ------------------------------------------------------------------------------------


def test_session_attendance_lists_every_session_but_breaks(event, programme):
    by_session = session_attendance(event=event)

    assert set(by_session) == ids(*(s for k, s in programme.items() if k != "lunch"))
    assert all(attendees == set() for attendees in by_session.values())


def test_session_attendance_door_checkin_counts_sessions_for_everyone(event, programme):
    reg = registration(event)
    door(reg, at(11))  # arriving late still counts the whole day

    by_session = session_attendance(event=event)

    attended = {pk for pk, regs in by_session.items() if reg.pk in regs}
    # Not the parallel sessions (nobody knows which one), not networking.
    assert attended == ids(programme["opening"], programme["afternoon"])


def test_session_attendance_scanned_session_counts_only_those_scanned(event, programme):
    door_only = registration(event)
    scanned = registration(event)
    door(door_only)
    door(scanned)
    scan(scanned, programme["opening"])

    by_session = session_attendance(event=event)

    assert by_session[programme["opening"].pk] == {scanned.pk}
    assert by_session[programme["afternoon"].pk] == {door_only.pk, scanned.pk}


def test_session_attendance_door_checkin_counts_from_its_day_on():
    event = EventFactory(start=at(9), end=at(17, day=2))
    days = [SessionFactory(event=event, start=at(9, day=d), end=at(10, day=d)) for d in range(3)]
    reg = registration(event)
    door(reg, at(9, day=1))

    by_session = session_attendance(event=event)

    assert [reg.pk in by_session[s.pk] for s in days] == [False, True, True]


def test_session_attendance_online_join_counts_that_day_from_the_join(event, programme):
    early = registration(event, mode=AttendanceMode.ONLINE)
    late = registration(event, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=early, joined_at=at(8, 50))
    OnlineJoinFactory(registration=late, joined_at=at(13, 10))

    by_session = session_attendance(event=event)

    assert {pk for pk, regs in by_session.items() if early.pk in regs} == ids(
        programme["opening"], programme["afternoon"]
    )
    # Joined during the afternoon panel: it counts, the morning does not.
    assert {pk for pk, regs in by_session.items() if late.pk in regs} == ids(programme["afternoon"])


def test_session_attendance_online_join_of_another_day_counts_nothing():
    event = EventFactory(start=at(9), end=at(17, day=1))
    first = SessionFactory(event=event, start=at(9), end=at(10))
    second = SessionFactory(event=event, start=at(9, day=1), end=at(10, day=1))
    reg = registration(event, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=reg, joined_at=at(9, 5, day=1))

    by_session = session_attendance(event=event)

    assert (reg.pk in by_session[first.pk], reg.pk in by_session[second.pk]) == (False, True)


def test_session_attendance_join_through_session_link_counts_that_session(event, programme):
    reg = registration(event, mode=AttendanceMode.ONLINE)
    OnlineJoinFactory(registration=reg, session=programme["workshop"], joined_at=at(10, 30))

    by_session = session_attendance(event=event)

    assert {pk for pk, regs in by_session.items() if reg.pk in regs} == ids(programme["workshop"])


def test_session_attendance_counts_a_confirmed_seat_in_a_parallel_session(event, programme):
    workshop = programme["workshop"]
    workshop.requires_signup = True
    workshop.save()
    reg = registration(event)
    waiting = registration(event)
    SessionPick.objects.create(registration=reg, session=workshop, status=PickStatus.CONFIRMED)
    SessionPick.objects.create(
        registration=waiting, session=workshop, status=PickStatus.WAITLISTED, waitlisted_at=at(0)
    )
    door(reg)
    door(waiting)

    by_session = session_attendance(event=event)

    assert by_session[workshop.pk] == {reg.pk}


def test_session_attendance_session_mark_decides(event, programme):
    reg = registration(event)
    door(reg)
    AttendanceMarkFactory(registration=reg, session=programme["opening"], attended=False)
    AttendanceMarkFactory(registration=reg, session=programme["drinks"], attended=True)

    by_session = session_attendance(event=event)

    assert {pk for pk, regs in by_session.items() if reg.pk in regs} == ids(
        programme["afternoon"], programme["drinks"]
    )


def test_session_attendance_event_absent_mark_overrides_everything(event, programme):
    reg = registration(event)
    door(reg)
    scan(reg, programme["panel"])
    AttendanceMarkFactory(registration=reg, attended=False)

    by_session = session_attendance(event=event)

    assert all(reg.pk not in regs for regs in by_session.values())


def test_session_attendance_event_mark_alone_counts_sessions_for_everyone(event, programme):
    reg = registration(event)
    AttendanceMarkFactory(registration=reg, attended=True)

    by_session = session_attendance(event=event)

    assert {pk for pk, regs in by_session.items() if reg.pk in regs} == ids(
        programme["opening"], programme["afternoon"]
    )


# --- hours ---------------------------------------------------------------------------------------


def test_hours_attended_sums_sessions_and_merges_overlaps(event, programme):
    reg = registration(event)
    scan(reg, programme["opening"])
    scan(reg, programme["panel"])
    scan(reg, programme["workshop"])  # the same 90 minutes as the panel

    assert hours_attended(registration=reg) == 2.5


def test_hours_attended_of_someone_absent_is_zero(event, programme):
    reg = registration(event)

    assert hours_attended(registration=reg) == 0.0


def test_hours_attended_without_sessions_is_the_event_hours_on_days_attended():
    short = EventFactory(start=at(9), end=at(12))
    reg = registration(short)
    door(reg)

    assert hours_attended(registration=reg) == 3.0


def test_hours_attended_without_sessions_caps_each_day():
    # Monday 9:00 to Tuesday 17:00: 15 and 17 hours of clock time, 8 of each day counted.
    event = EventFactory(start=at(9), end=at(17, day=1))
    whole = registration(event)
    second_day_online = registration(event, mode=AttendanceMode.ONLINE)
    marked = registration(event)
    door(whole, at(9))
    OnlineJoinFactory(registration=second_day_online, joined_at=at(8, 55, day=1))
    AttendanceMarkFactory(registration=marked, attended=True)

    hours = hours_by_registration(event=event)

    assert hours == {whole.pk: 16.0, second_day_online.pk: 8.0, marked.pk: 16.0}


def test_registration_attendance_agrees_with_event_attendance(event, programme):
    regs = [registration(event) for _ in range(3)]
    door(regs[0])
    scan(regs[1], programme["opening"])
    scan(regs[1], programme["panel"])
    OnlineJoinFactory(registration=regs[2], joined_at=at(10, 45))

    whole = event_attendance(event=event)

    for reg in regs:
        one = registration_attendance(registration=reg)
        assert one.attended == {reg.pk}
        assert one.hours == {reg.pk: whole.hours[reg.pk]}
        assert [s.pk for s in one.sessions_of(reg.pk)] == [s.pk for s in whole.sessions_of(reg.pk)]


# --- queries -------------------------------------------------------------------------------------


def _crowd(event, programme, count):
    for n in range(count):
        reg = registration(event, mode=AttendanceMode.ONLINE if n % 2 else AttendanceMode.IN_PERSON)
        if n % 2:
            OnlineJoinFactory(registration=reg, joined_at=at(9, n % 50))
        else:
            door(reg)
            scan(reg, programme["panel"])
        AttendanceMarkFactory(registration=reg, session=programme["drinks"], attended=True)


def test_event_attendance_queries_with_one_registration(
    event, programme, django_assert_num_queries
):
    _crowd(event, programme, 1)

    with django_assert_num_queries(6):
        result = event_attendance(event=event)

    assert len(result.attended) == 1


def test_event_attendance_queries_with_forty_registrations(
    event, programme, django_assert_num_queries
):
    _crowd(event, programme, 40)

    with django_assert_num_queries(6):
        result = event_attendance(event=event)

    assert len(result.attended) == 40


def test_hours_attended_queries(event, programme, django_assert_num_queries):
    _crowd(event, programme, 10)
    reg = RegistrationFactory(event=event)
    door(reg)

    with django_assert_num_queries(7):
        hours = hours_attended(registration=reg)

    assert hours == 2.5  # opening and the afternoon panel


@pytest.mark.parametrize("count", [1, 20])
def test_registrations_with_attendance_is_one_query(
    event, programme, count, django_assert_num_queries
):
    _crowd(event, programme, count)

    with django_assert_num_queries(1):
        rows = list(registrations_with_attendance(event=event))

    assert len(rows) == count
    in_person = rows[0] if rows[0].mode == AttendanceMode.IN_PERSON else rows[1]
    assert (in_person.door_checkin_at is not None, in_person.session_checkin_count) == (True, 1)
    assert (in_person.online_join_count, in_person.mark_attended) == (0, None)

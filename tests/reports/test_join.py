"""The online join link: it notes when an online attendee joins, then opens the meeting."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.enums import EventFormat, EventStatus
from registrations import services as registration_services
from registrations.enums import AttendanceMode, RegistrationStatus
from reports.attendance import JOIN_REPEAT_WINDOW, record_join
from reports.models import OnlineJoin
from tests.factories import EventFactory, SessionFactory
from tests.factories.registrations import RegistrationFactory

pytestmark = pytest.mark.django_db

MEETING = "https://meet.example.org/room-1"


def join_url(registration, **query):
    url = reverse("reports:join", kwargs={"token": registration.token})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def online_event(start_in=timedelta(hours=-1), **kwargs):
    start = timezone.now() + start_in
    kwargs.setdefault("end", start + timedelta(hours=3))
    return EventFactory(online=True, start=start, **kwargs)


def online_registration(event=None, **kwargs):
    return RegistrationFactory(event=event or online_event(), mode=AttendanceMode.ONLINE, **kwargs)


def test_join_records_the_join_and_redirects_to_the_meeting(client):
    registration = online_registration()
    before = timezone.now()

    response = client.get(join_url(registration))

    assert response.status_code == 302
    assert response["Location"] == MEETING
    join = OnlineJoin.objects.get()
    assert (join.registration, join.session) == (registration, None)
    assert before <= join.joined_at <= timezone.now()


def test_join_keeps_the_link_out_of_caches_and_referers(client):
    response = client.get(join_url(online_registration()))

    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "strict-origin"


def test_join_clicked_twice_records_one_join(client):
    registration = online_registration()

    client.get(join_url(registration))
    response = client.get(join_url(registration))

    assert response.status_code == 302
    assert OnlineJoin.objects.count() == 1


def test_record_join_after_the_repeat_window_records_again():
    registration = online_registration()
    first = timezone.now()

    record_join(registration=registration, now=first)
    record_join(registration=registration, now=first + JOIN_REPEAT_WINDOW - timedelta(seconds=1))
    record_join(registration=registration, now=first + JOIN_REPEAT_WINDOW + timedelta(seconds=1))

    assert OnlineJoin.objects.filter(registration=registration).count() == 2


def test_join_with_a_session_on_now_records_the_session(client):
    event = online_event()
    session = SessionFactory(event=event, start=event.start, end=event.start + timedelta(hours=2))
    registration = online_registration(event)

    response = client.get(join_url(registration, session=session.pk))

    assert response.status_code == 302
    assert OnlineJoin.objects.get().session == session


@pytest.mark.parametrize("which", ["other_event", "later", "garbage"])
def test_join_with_an_unsuitable_session_records_the_event(client, which):
    event = online_event()
    sessions = {
        "other_event": SessionFactory().pk,
        "later": SessionFactory(
            event=event,
            start=event.start + timedelta(hours=2),
            end=event.start + timedelta(hours=3),
        ).pk,
        "garbage": "1;DROP",
    }
    registration = online_registration(event)

    response = client.get(join_url(registration, session=sessions[which]))

    assert response.status_code == 302
    assert OnlineJoin.objects.get().session is None


def test_join_half_an_hour_before_the_start_redirects(client):
    registration = online_registration(online_event(start_in=timedelta(minutes=29)))

    response = client.get(join_url(registration))

    assert response.status_code == 302


def test_join_before_the_window_says_when_it_opens_and_records_nothing(client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    event = online_event(start_in=start - timezone.now(), timezone="Europe/Lisbon")
    registration = online_registration(event)

    response = client.get(join_url(registration))

    assert response.status_code == 200
    opens = event.local(start - timedelta(minutes=30))
    assert f"{opens:%H:%M} (Europe/Lisbon)" in response.content.decode()
    assert join_url(registration) in response.content.decode()
    assert MEETING not in response.content.decode()
    assert not OnlineJoin.objects.exists()


def test_join_after_the_event_says_it_has_ended(client):
    registration = online_registration(online_event(start_in=timedelta(days=-1)))

    response = client.get(join_url(registration))

    assert response.status_code == 200
    assert "This event has ended" in response.content.decode()
    assert not OnlineJoin.objects.exists()


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED, RegistrationStatus.DECLINED],
)
def test_join_of_a_registration_not_confirmed_is_refused_clearly(client, status):
    registration = online_registration(status=status, waitlisted_at=timezone.now())

    response = client.get(join_url(registration))

    assert response.status_code == 403
    assert f"Your registration is {registration.get_status_display().lower()}" in (
        response.content.decode()
    )
    assert MEETING not in response.content.decode()
    assert not OnlineJoin.objects.exists()


def test_join_of_an_in_person_attendee_of_a_hybrid_event_is_refused(client):
    event = online_event(format=EventFormat.HYBRID)
    registration = RegistrationFactory(event=event, mode=AttendanceMode.IN_PERSON)

    response = client.get(join_url(registration))

    assert response.status_code == 403
    assert "You attend in person" in response.content.decode()


def test_join_of_any_confirmed_registration_of_an_online_event_works(client):
    registration = RegistrationFactory(event=online_event(), mode=AttendanceMode.IN_PERSON)

    response = client.get(join_url(registration))

    assert response.status_code == 302


def test_join_of_a_cancelled_event_says_so(client):
    registration = online_registration(online_event(status=EventStatus.CANCELLED))

    response = client.get(join_url(registration))

    assert response.status_code == 403
    assert "This event is cancelled" in response.content.decode()


def test_join_without_a_meeting_link_yet_says_so(client):
    registration = online_registration(online_event(online_url=""))

    response = client.get(join_url(registration))

    assert response.status_code == 200
    assert "No meeting link yet" in response.content.decode()


def test_join_with_a_wrong_token_is_404(client):
    online_registration()

    response = client.get(reverse("reports:join", kwargs={"token": "not-a-token"}))

    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_join_with_a_revoked_token_is_404(client):
    registration = online_registration()
    old_token = registration.token
    registration_services.revoke_token(registration=registration, actor=None)

    response = client.get(reverse("reports:join", kwargs={"token": old_token}))

    assert response.status_code == 404
    assert not OnlineJoin.objects.exists()


def test_join_never_writes_the_token_to_the_log(client, caplog):
    registration = online_registration(status=RegistrationStatus.CANCELLED)

    with caplog.at_level(logging.DEBUG):
        client.get(reverse("reports:join", kwargs={"token": "wrong-secret-token"}))
        client.get(join_url(registration))
        client.get(join_url(online_registration()))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "wrong-secret-token" not in logged
    assert registration.token not in logged


def test_join_takes_get_only(client):
    response = client.post(join_url(online_registration()))

    assert response.status_code == 405
    assert not OnlineJoin.objects.exists()

"""The organisers' attendance page and the marks they set there."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registrations.enums import AttendanceMode, RegistrationStatus
from registrations.models import AuditEntry
from reports.attendance import set_attendance_mark
from reports.certificates import certificate_reference
from reports.exceptions import AttendanceMarkRefused
from reports.models import AttendanceMark
from tests.factories import PersonFactory, SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import AttendanceMarkFactory, OnlineJoinFactory, ended_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return ended_event(slug="moving-talents")


def page_url(event, **query):
    url = reverse("reports:attendance", kwargs={"slug": event.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def person(first, last):
    return PersonFactory(first_name=first, last_name=last)


# --- who may see it ------------------------------------------------------------------------------


def test_attendance_page_sends_anonymous_visitors_to_sign_in(client, event):
    response = client.get(page_url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_attendance_page_refuses_staff_without_the_permission(client, event):
    user = get_user_model().objects.create_user("intern", is_staff=True)
    client.force_login(user)

    assert client.get(page_url(event)).status_code == 403
    assert (
        client.post(page_url(event), {"registration": 1, "action": "attended"}).status_code == 403
    )


def test_attendance_page_of_an_unknown_event_is_404(organiser_client):
    assert organiser_client.get("/events/nothing-here/attendance/").status_code == 404


# --- what it shows -------------------------------------------------------------------------------


def test_attendance_page_lists_confirmed_registrations_with_their_record(organiser_client, event):
    scanned = RegistrationFactory(event=event, person=person("Ana", "Novak"))
    CheckInFactory(registration=scanned, at=event.start)
    online = RegistrationFactory(
        event=event, mode=AttendanceMode.ONLINE, person=person("Bo", "Online")
    )
    OnlineJoinFactory(registration=online, joined_at=event.start)
    marked = RegistrationFactory(event=event, person=person("Cy", "Marked"))
    AttendanceMarkFactory(registration=marked, attended=True)
    absent = RegistrationFactory(event=event, person=person("Di", "Absent"))
    RegistrationFactory(
        event=event, status=RegistrationStatus.CANCELLED, person=person("Ed", "Cancelled")
    )

    response = organiser_client.get(page_url(event))

    content = response.content.decode()
    assert response.status_code == 200
    assert [row.person.last_name for row in response.context["page"].object_list] == [
        "Absent",
        "Marked",
        "Novak",
        "Online",
    ]
    assert {row.pk: row.attended for row in response.context["page"].object_list} == {
        scanned.pk: True,
        online.pk: True,
        marked.pk: True,
        absent.pk: False,
    }
    assert "Cancelled" not in content
    assert "3 of 4 confirmed attendees attended." in content


def test_attendance_page_filters(organiser_client, event):
    came = RegistrationFactory(event=event, person=person("Ana", "Novak"))
    CheckInFactory(registration=came, at=event.start)
    RegistrationFactory(event=event, person=person("Bo", "Stayed-Home"))

    def names(**query):
        response = organiser_client.get(page_url(event, **query))
        return [row.person.last_name for row in response.context["page"].object_list]

    assert names(show="attended") == ["Novak"]
    assert names(show="not_attended") == ["Stayed-Home"]
    assert names(q="nov") == ["Novak"]
    assert names(show="marked") == []


# --- marking -------------------------------------------------------------------------------------


def test_attendance_page_marks_someone_attended(organiser_client, organiser, event):
    registration = RegistrationFactory(event=event, person=person("Ana", "Novak"))

    response = organiser_client.post(
        page_url(event, q="ana", page=1), {"registration": registration.pk, "action": "attended"}
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(event, q="ana", page=1)
    mark = AttendanceMark.objects.get()
    assert (mark.registration, mark.session, mark.attended, mark.marked_by) == (
        registration,
        None,
        True,
        organiser,
    )
    entry = AuditEntry.objects.get(registration=registration)
    assert (entry.action, entry.actor, entry.actor_label) == (
        "marked_attended",
        organiser,
        "attendance-organiser",
    )
    followed = organiser_client.get(response["Location"]).content.decode()
    assert "Ana Novak is marked as attended." in followed


def test_attendance_page_marks_someone_absent_then_removes_the_mark(organiser_client, event):
    registration = RegistrationFactory(event=event)
    CheckInFactory(registration=registration, at=event.start)

    organiser_client.post(page_url(event), {"registration": registration.pk, "action": "absent"})
    absent = organiser_client.get(page_url(event)).context["page"].object_list[0]
    organiser_client.post(page_url(event), {"registration": registration.pk, "action": "clear"})
    cleared = organiser_client.get(page_url(event)).context["page"].object_list[0]

    assert (absent.mark_attended, absent.attended) == (False, False)
    assert (cleared.mark_attended, cleared.attended) == (None, True)
    assert not AttendanceMark.objects.exists()
    assert list(
        AuditEntry.objects.filter(registration=registration).values_list("action", flat=True)
    ) == ["marked_absent", "attendance_mark_removed"]


def test_attendance_page_refuses_a_registration_of_another_event(organiser_client, event):
    stranger = RegistrationFactory()

    response = organiser_client.post(
        page_url(event), {"registration": stranger.pk, "action": "attended"}
    )

    assert response.status_code == 404
    assert not AttendanceMark.objects.exists()


def test_attendance_page_reports_a_refused_mark(organiser_client, event):
    cancelled = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)

    response = organiser_client.post(
        page_url(event), {"registration": cancelled.pk, "action": "attended"}, follow=True
    )

    assert "Only confirmed registrations are marked" in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_attendance_page_checks_a_certificate_reference(organiser_client, event):
    registration = RegistrationFactory(event=event, person=person("Ana", "Novak"))
    CheckInFactory(registration=registration, at=event.start)
    other_event = RegistrationFactory(event=ended_event())

    genuine = organiser_client.get(page_url(event, reference=certificate_reference(registration)))
    elsewhere = organiser_client.get(page_url(event, reference=certificate_reference(other_event)))

    assert "This reference is genuine: the certificate of Ana Novak" in genuine.content.decode()
    assert "This is not the reference of a certificate of this event." in (
        elsewhere.content.decode()
    )


# --- the service ---------------------------------------------------------------------------------


def test_set_attendance_mark_without_a_change_writes_nothing(organiser, event):
    registration = RegistrationFactory(event=event)
    set_attendance_mark(registration=registration, attended=True, actor=organiser)

    again = set_attendance_mark(registration=registration, attended=True, actor=organiser)
    removed_twice = [
        set_attendance_mark(registration=registration, attended=None, actor=organiser).changed
        for _ in range(2)
    ]

    assert again.changed is False
    assert removed_twice == [True, False]
    assert AuditEntry.objects.filter(registration=registration).count() == 2


def test_set_attendance_mark_for_a_session_of_another_event_is_refused(organiser, event):
    registration = RegistrationFactory(event=event)

    with pytest.raises(AttendanceMarkRefused):
        set_attendance_mark(
            registration=registration, attended=True, actor=organiser, session=SessionFactory()
        )


def test_set_attendance_mark_for_a_session_keeps_the_event_mark(organiser, event):
    registration = RegistrationFactory(event=event)
    session = SessionFactory(event=event, start=event.start, end=event.start + timedelta(hours=1))

    set_attendance_mark(registration=registration, attended=False, actor=organiser)
    set_attendance_mark(registration=registration, attended=True, actor=organiser, session=session)

    assert sorted(
        AttendanceMark.objects.values_list("session_id", "attended"), key=lambda m: m[0] or 0
    ) == [(None, False), (session.pk, True)]


# --- queries -------------------------------------------------------------------------------------


def crowd(event, count):
    for n in range(count):
        registration = RegistrationFactory(event=event)
        if n % 3 == 0:
            CheckInFactory(registration=registration, at=event.start)
        elif n % 3 == 1:
            OnlineJoinFactory(registration=registration, joined_at=event.start)
        else:
            AttendanceMarkFactory(registration=registration, attended=False)


def test_attendance_page_queries_with_one_registration(
    organiser_client, event, django_assert_num_queries
):
    crowd(event, 1)

    with django_assert_num_queries(14):
        response = organiser_client.get(page_url(event))

    assert len(response.context["page"].object_list) == 1


def test_attendance_page_queries_with_a_full_page(
    organiser_client, event, django_assert_num_queries
):
    crowd(event, 60)

    with django_assert_num_queries(14):
        response = organiser_client.get(page_url(event))

    assert len(response.context["page"].object_list) == 50

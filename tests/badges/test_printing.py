"""Print runs: which badges, in which order, how many pages, and who may make them."""

import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from badges import printing
from badges.models import Badge, PrintRun, PrintRunStatus
from badges.printing import PrintFilters, badges_to_print, run_print_run, start_print_run
from members.enums import OrganisationType
from registrations.enums import AttendanceMode, RegistrationStatus
from tests.factories import EventFactory, OrganisationFactory, PersonFactory
from tests.factories.badges import BadgeFactory
from tests.factories.registrations import RegistrationFactory

LAST_NAMES = ["Zeller", "abbas", "Müller", "Dupont", "Novak", "Costa"]


def pdf_pages(path) -> list[str]:
    text = subprocess.run(  # noqa: S603 - fixed program, our own file
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True
    )
    return text.stdout.decode().split("\f")[:-1]


def attendee(event, last_name: str, **registration) -> "RegistrationFactory":
    return RegistrationFactory(
        event=event, person=PersonFactory(first_name="Sam", last_name=last_name), **registration
    )


@pytest.fixture
def event(db):
    event = EventFactory(title="Moving Talents")
    for last_name in LAST_NAMES:
        attendee(event, last_name)
    attendee(event, "Online", mode=AttendanceMode.ONLINE)
    attendee(event, "Waiting", status=RegistrationStatus.WAITLISTED, waitlisted_at=event.start)
    attendee(event, "Gone", status=RegistrationStatus.CANCELLED)
    return event


@pytest.fixture
def organiser(db):
    user = get_user_model().objects.create_user("print-organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    return user


def names(badges) -> list[str]:
    return [badge.registration.person.last_name for badge in badges]


# --- the run -------------------------------------------------------------------------------------


def test_print_run_makes_sheets_of_confirmed_in_person_attendees_sorted_by_last_name(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        print_run = start_print_run(
            event=event, requested_by=None, filters=PrintFilters(), language="en"
        )

    print_run.refresh_from_db()
    assert print_run.status == PrintRunStatus.DONE
    pages = pdf_pages(print_run.file.path)
    assert len(pages) == 2
    text = "".join(pages)
    positions = [text.index(name) for name in sorted(LAST_NAMES, key=str.lower)]
    assert positions == sorted(positions)
    assert [name in text for name in ("Online", "Waiting", "Gone")] == [False] * 3


def test_print_run_progress_reaches_total(event, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 4)
    print_run = PrintRun.objects.create(event=event)

    run_print_run(print_run_id=print_run.pk)

    print_run.refresh_from_db()
    assert (print_run.done, print_run.total, print_run.percent) == (6, 6, 100)
    assert len(pdf_pages(print_run.file.path)) == 2


def test_print_run_issues_missing_badges(event):
    print_run = PrintRun.objects.create(event=event)

    run_print_run(print_run_id=print_run.pk)

    valid = Badge.objects.filter(event=event, revoked_at__isnull=True)
    assert valid.filter(registration__mode=AttendanceMode.IN_PERSON).count() == 6


def test_print_run_run_twice_keeps_its_file(event):
    print_run = PrintRun.objects.create(event=event)
    first = run_print_run(print_run_id=print_run.pk)

    second = run_print_run(print_run_id=print_run.pk)

    assert second.file.name == first.file.name
    assert second.status == PrintRunStatus.DONE


def test_print_run_of_nobody_is_done_with_an_empty_total(db):
    print_run = PrintRun.objects.create(event=EventFactory())

    result = run_print_run(print_run_id=print_run.pk)

    assert (result.status, result.total) == (PrintRunStatus.DONE, 0)


# --- filters -------------------------------------------------------------------------------------


def test_badges_to_print_by_role(db):
    event = EventFactory()
    BadgeFactory(registration=attendee(event, "Speaker"), role="speaker")
    BadgeFactory(registration=attendee(event, "Attendee"))

    badges = badges_to_print(event=event, filters=PrintFilters(roles=("speaker",)))

    assert names(badges) == ["Speaker"]


def test_badges_to_print_by_organisation_type(db):
    event = EventFactory()
    union = OrganisationFactory(type=OrganisationType.TRADE_UNION)
    BadgeFactory(
        registration=RegistrationFactory(
            event=event, person=PersonFactory(last_name="Union", organisation=union)
        )
    )
    BadgeFactory(registration=attendee(event, "Ngo"))

    badges = badges_to_print(
        event=event, filters=PrintFilters(organisation_types=(OrganisationType.TRADE_UNION,))
    )

    assert names(badges) == ["Union"]


def test_badges_to_print_by_name_range(event):
    for registration in event.registrations.filter(status=RegistrationStatus.CONFIRMED):
        BadgeFactory(registration=registration)

    badges = badges_to_print(event=event, filters=PrintFilters(name_from="b", name_to="N"))

    assert names(badges) == ["Costa", "Dupont", "Müller", "Novak"]


def test_badges_to_print_leaves_out_revoked_badges(db):
    event = EventFactory()
    registration = attendee(event, "Novak")
    BadgeFactory(registration=registration, revoked_at=event.start)

    assert names(badges_to_print(event=event, filters=PrintFilters())) == []


# --- the page ------------------------------------------------------------------------------------


def page_url(event) -> str:
    return f"/events/{event.slug}/badges/"


def test_print_run_page_sends_strangers_to_sign_in(client, event):
    response = client.get(page_url(event))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_print_run_page_refused_without_permission(client, event):
    client.force_login(get_user_model().objects.create_user("helper", is_staff=True))

    response = client.get(page_url(event))

    assert response.status_code == 403


def test_print_run_page_shown_to_organisers(client, event, organiser):
    client.force_login(organiser)

    response = client.get(page_url(event))

    assert response.status_code == 200
    assert "Make the PDF" in response.content.decode()


def test_print_run_page_starts_a_run_with_filters(
    client, event, organiser, django_capture_on_commit_callbacks
):
    client.force_login(organiser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(event), {"roles": ["attendee"], "name_from": "M"})

    print_run = PrintRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(event)}?run={print_run.pk}"
    assert print_run.filters == {
        "roles": ["attendee"],
        "organisation_types": [],
        "name_from": "M",
        "name_to": "",
    }
    assert print_run.requested_by == organiser
    assert len(pdf_pages(PrintRun.objects.get().file.path)) == 1


def test_print_run_page_refuses_a_backwards_name_range(client, event, organiser):
    client.force_login(organiser)

    response = client.post(page_url(event), {"name_from": "T", "name_to": "C"})

    assert response.status_code == 400
    assert PrintRun.objects.count() == 0


def test_print_run_status_reports_progress_and_download(client, event, organiser):
    print_run = PrintRun.objects.create(event=event)
    run_print_run(print_run_id=print_run.pk)
    client.force_login(organiser)

    response = client.get(f"{page_url(event)}runs/{print_run.pk}/status/")

    assert response.json() == {
        "id": print_run.pk,
        "status": "done",
        "status_label": "Done",
        "done": 6,
        "total": 6,
        "percent": 100,
        "download": f"{page_url(event)}runs/{print_run.pk}/badges.pdf",
    }


def test_print_run_file_downloads_for_organisers(client, event, organiser):
    print_run = PrintRun.objects.create(event=event)
    run_print_run(print_run_id=print_run.pk)
    client.force_login(organiser)

    response = client.get(f"{page_url(event)}runs/{print_run.pk}/badges.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("what", ["status/", "badges.pdf"])
def test_print_run_status_and_file_refused_without_permission(client, event, what):
    print_run = PrintRun.objects.create(event=event)
    run_print_run(print_run_id=print_run.pk)
    client.force_login(get_user_model().objects.create_user("helper", is_staff=True))

    response = client.get(f"{page_url(event)}runs/{print_run.pk}/{what}")

    assert response.status_code == 403


def test_print_run_of_another_event_is_404(client, event, organiser):
    print_run = PrintRun.objects.create(event=EventFactory())
    client.force_login(organiser)

    response = client.get(f"{page_url(event)}runs/{print_run.pk}/status/")

    assert response.status_code == 404

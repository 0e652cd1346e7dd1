from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from agenda.demo.events.upcoming import first_day_after
from agenda.demo.loader import ORGANISER_PASSWORD, ORGANISER_USERNAME, load_demo
from agenda.enums import EventFormat, EventKind, EventStatus, RegistrationWindow
from agenda.models import Document, Event, Photo, Speaker
from registrations import services
from registrations.enums import RegistrationStatus
from registrations.models import PrivacyNotice
from tests.factories.registrations import PrivacyNoticeFactory, registration_request

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
UPCOMING_SLUG = "practitioners-forum-fair-recruitment-green-transition"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def local_dates(event: Event) -> tuple[date, date]:
    return event.start.astimezone(BRUSSELS).date(), event.end.astimezone(BRUSSELS).date()


def every_row() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
    }


def media_files(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


def test_load_demo_creates_the_five_events():
    today = timezone.now().astimezone(BRUSSELS).date()
    upcoming_day = first_day_after(today)

    run_load_demo()

    events = [
        (event.title, *local_dates(event), event.format, event.kind, event.status)
        for event in Event.objects.order_by("start")
    ]
    assert events == [
        (
            "LMPN Kick-off Meeting",
            date(2022, 1, 25),
            date(2022, 1, 25),
            EventFormat.ONLINE,
            EventKind.KICK_OFF,
            EventStatus.PUBLISHED,
        ),
        (
            "First Thematic Meeting: Engaging the Private Sector",
            date(2022, 3, 24),
            date(2022, 3, 24),
            EventFormat.ONLINE,
            EventKind.THEMATIC_MEETING,
            EventStatus.PUBLISHED,
        ),
        (
            "Labour Mobility and Skills Shortages: Connecting the Dots",
            date(2023, 11, 21),
            date(2023, 11, 22),
            EventFormat.IN_PERSON,
            EventKind.CONFERENCE,
            EventStatus.PUBLISHED,
        ),
        (
            "Moving Talents: Scaling up Action in Key Sectors",
            date(2024, 11, 19),
            date(2024, 11, 20),
            EventFormat.IN_PERSON,
            EventKind.CONFERENCE,
            EventStatus.PUBLISHED,
        ),
        (
            "Practitioners' Forum: Fair Recruitment for the Green Transition",
            upcoming_day,
            upcoming_day + timedelta(days=1),
            EventFormat.HYBRID,
            EventKind.CONFERENCE,
            EventStatus.PUBLISHED,
        ),
    ]
    assert Event.objects.public().count() == 5


def test_load_demo_upcoming_event_is_open_for_registration():
    run_load_demo()

    event = Event.objects.select_related("venue").get(slug=UPCOMING_SLUG)
    assert event.registration_window() == RegistrationWindow.OPEN
    assert (event.capacity_in_person, event.capacity_online) == (80, 200)
    assert event.online_url.startswith("https://meet.example.org/")
    assert event.timezone == "Europe/Brussels"
    assert event.venue.latitude is not None
    assert event.local(event.registration_closes).date() == event.local(event.start).date() - (
        timedelta(days=1)
    )
    assert event.sessions.filter(requires_signup=True).count() == 2


def test_load_demo_upcoming_event_takes_registrations():
    run_load_demo()
    event = Event.objects.get(slug=UPCOMING_SLUG)

    registration = services.register(event=event, request=registration_request()).registration

    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.privacy_notice.version == "sample"
    assert registration.privacy_notice.text.startswith("**Sample data.**")


def test_load_demo_keeps_the_networks_own_privacy_notice():
    PrivacyNoticeFactory(version="2026-1")

    run_load_demo()
    run_load_demo()

    network = PrivacyNotice.objects.filter(event__isnull=True).values_list("version", flat=True)
    assert list(network) == ["2026-1"]


def test_load_demo_facts_and_sample_data_are_marked():
    run_load_demo()

    kick_off = Event.objects.get(slug="lmpn-kick-off-meeting-2022")
    moving_talents = Event.objects.get(slug="lmpn-conference-2024-moving-talents")
    assert "89 labour mobility practitioners" in kick_off.description
    assert "100 European practitioners" in moving_talents.description
    assert [e.slug for e in Event.objects.all() if "sample data" not in e.description] == []
    assert [s.slug for s in Speaker.objects.all() if not s.bio.endswith("(Sample data.)")] == []


def test_load_demo_agenda_has_parallel_tracks_and_no_speaker_clash():
    report = load_demo()

    conference = Event.objects.get(slug="lmpn-conference-2024-moving-talents")
    parallel = conference.sessions.filter(kind="breakout").values_list("start", flat=True)
    assert conference.tracks.count() == 3
    assert len(parallel) == len(set(parallel)) * 3
    assert report.speaker_conflicts == []


def test_load_demo_documents_are_pdfs_and_photos_have_text_alternatives(settings):
    run_load_demo()

    documents = Document.objects.all()
    photos = Photo.objects.filter(event__slug="lmpn-conference-2024-moving-talents")
    assert {d.event.slug for d in documents} == {
        "lmpn-kick-off-meeting-2022",
        "thematic-meeting-engaging-the-private-sector",
        "lmpn-conference-2023-connecting-the-dots",
        "lmpn-conference-2024-moving-talents",
    }
    root = Path(settings.MEDIA_ROOT)
    assert [d.title for d in documents if (root / d.file.name).read_bytes()[:5] != b"%PDF-"] == []
    assert photos.count() == 4
    assert [p.pk for p in photos if not p.alt_text or "Sample" not in p.caption] == []
    assert (root / photos[0].image.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_load_demo_second_run_changes_nothing(settings):
    first_output = run_load_demo()
    rows = every_row()
    files = media_files(Path(settings.MEDIA_ROOT))

    second_output = run_load_demo()

    assert "created" in first_output
    assert "nothing changed" in second_output
    assert every_row() == rows
    assert media_files(Path(settings.MEDIA_ROOT)) == files


def test_load_demo_organiser_can_log_in_to_the_admin(client):
    output = run_load_demo()

    user = get_user_model().objects.get(username=ORGANISER_USERNAME)
    assert user.is_staff is True
    assert user.is_superuser is False
    assert list(user.groups.values_list("name", flat=True)) == ["organisers"]
    assert client.login(username=ORGANISER_USERNAME, password=ORGANISER_PASSWORD) is True
    assert client.get("/admin/").status_code == 200
    assert (
        f"Organiser login: organiser / {ORGANISER_PASSWORD} at http://127.0.0.1:8000/admin/"
        in output
    )


def test_load_demo_keeps_a_changed_organiser_password():
    run_load_demo()
    user = get_user_model().objects.get(username=ORGANISER_USERNAME)
    user.set_password("a-new-secret-of-the-organiser")
    user.save()

    output = run_load_demo()

    user.refresh_from_db()
    assert user.check_password("a-new-secret-of-the-organiser") is True
    assert ORGANISER_PASSWORD not in output
    assert "password was changed" in output


def test_load_demo_refuses_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="--allow-production"):
        run_load_demo()

    assert Event.objects.count() == 0
    assert get_user_model().objects.filter(username=ORGANISER_USERNAME).exists() is False


def test_load_demo_moves_the_upcoming_event_once_registration_closed():
    loaded_at = datetime(2030, 3, 1, 12, 0, tzinfo=BRUSSELS)
    load_demo(now=loaded_at)
    event = Event.objects.get(slug=UPCOMING_SLUG)
    times = sorted((s.title, event.local(s.start).time()) for s in event.sessions.all())
    later = event.end + timedelta(days=3)

    report = load_demo(now=later)

    event.refresh_from_db()
    assert report.moved_upcoming_to == first_day_after(later.astimezone(BRUSSELS).date())
    assert event.local(event.start).date() == report.moved_upcoming_to
    assert event.registration_window(now=later) == RegistrationWindow.OPEN
    assert sorted((s.title, event.local(s.start).time()) for s in event.sessions.all()) == times
    assert event.sessions.filter(start__lt=event.start).count() == 0

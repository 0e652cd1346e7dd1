"""The public pages: home, event, session, speaker and error pages, in English and French."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.defaults import server_error

from agenda.enums import EventFormat, EventStatus, SessionKind, SpeakerRole
from tests.factories import (
    EVENT_START,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def event_url(event) -> str:
    return reverse("agenda:event", kwargs={"slug": event.slug})


def session_url(session) -> str:
    return reverse("agenda:session", kwargs={"slug": session.event.slug, "pk": session.pk})


def speaker_url(speaker) -> str:
    return reverse("agenda:speaker", kwargs={"slug": speaker.slug})


def in_french(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"


def event_with_sessions(count: int):
    """An event of ``count`` sessions over two tracks and three rooms, two speakers each."""
    venue = VenueFactory()
    event = EventFactory(venue=venue, end=EVENT_START + timedelta(hours=24))
    tracks = [TrackFactory(event=event), TrackFactory(event=event)]
    rooms = [RoomFactory(venue=venue) for _ in range(3)]
    for index in range(count):
        start = event.start + timedelta(hours=index // 3)
        session = SessionFactory(
            event=event,
            start=start,
            end=start + timedelta(minutes=50),
            track=tracks[index % 2],
            room=rooms[index % 3],
            kind=SessionKind.PANEL,
        )
        SessionSpeakerFactory(session=session, role=SpeakerRole.MODERATOR)
        SessionSpeakerFactory(session=session)
    return event


# Every page renders ---------------------------------------------------------------------------


def test_home_lists_upcoming_and_past_events(client):
    now = timezone.now()
    upcoming = EventFactory(title="Next Conference", start=now + timedelta(days=30))
    past = EventFactory(title="Last Conference", start=now - timedelta(days=30))

    response = client.get(reverse("agenda:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Upcoming events") < html.index(upcoming.title)
    assert html.index("Past events") < html.index(past.title)
    assert event_url(upcoming) in html


def test_home_upcoming_events_soonest_first(client):
    now = timezone.now()
    later = EventFactory(title="Later Meeting", start=now + timedelta(days=60))
    sooner = EventFactory(title="Sooner Meeting", start=now + timedelta(days=10))

    html = client.get(reverse("agenda:home")).content.decode()

    assert html.index(sooner.title) < html.index(later.title)


def test_home_marks_cancelled_and_postponed_events(client):
    EventFactory(title="Called Off", status="cancelled")
    EventFactory(title="Moved Later", status="postponed")

    html = client.get(reverse("agenda:home")).content.decode()

    assert ('class="badge badge--cancelled">Cancelled<' in html) is True
    assert ('class="badge badge--postponed">Postponed<' in html) is True


def test_home_online_event_says_online(client):
    EventFactory(online=True, title="Webinar on Skills")

    html = client.get(reverse("agenda:home")).content.decode()

    assert "Online</span>" in html


def test_event_page_shows_summary_venue_agenda_and_speakers(client):
    event = EventFactory(title="Moving Talents", theme="Scaling up Action in Key Sectors")
    track = TrackFactory(event=event, name="Green skills", colour="#2e7d4f")
    room = RoomFactory(venue=event.venue, name="Salle Polak")
    session = SessionFactory(event=event, title="Opening plenary", track=track, room=room)
    appearance = SessionSpeakerFactory(session=session, role=SpeakerRole.CHAIR)

    response = client.get(event_url(event))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Scaling up Action in Key Sectors" in html
    assert event.venue.name in html
    assert "Salle Polak" in html
    assert "Green skills" in html
    assert "--track: #2e7d4f" in html
    assert session_url(session) in html
    assert speaker_url(appearance.speaker) in html
    assert "Chair" in html


def test_session_page_shows_event_time_room_and_speakers(client):
    event = EventFactory()
    room = RoomFactory(venue=event.venue, name="Room Spinelli")
    session = SessionFactory(event=event, title="Ethical recruitment", room=room, abstract="*Why*")
    appearance = SessionSpeakerFactory(session=session, role=SpeakerRole.MODERATOR)

    response = client.get(session_url(session))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ethical recruitment" in html
    assert event_url(event) in html
    assert "Room Spinelli" in html
    assert "09:00" in html
    assert "<em>Why</em>" in html
    assert appearance.speaker.name in html
    assert "Moderator" in html


def test_speaker_page_shows_profile_and_public_appearances(client):
    speaker = SpeakerFactory(name="Ana Costa", job_title="Head of unit", bio="Works on **skills**.")
    public = SessionFactory(title="Seen in public")
    hidden = SessionFactory(title="Hidden in draft", event=EventFactory(draft=True))
    SessionSpeakerFactory(session=public, speaker=speaker)
    SessionSpeakerFactory(session=hidden, speaker=speaker)

    response = client.get(speaker_url(speaker))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Head of unit" in html
    assert "<strong>skills</strong>" in html
    assert "Seen in public" in html
    assert "Hidden in draft" not in html


def test_unknown_page_is_styled_404(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "css/site.css" in html


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# Drafts are invisible -------------------------------------------------------------------------


def test_draft_event_is_404(client):
    event = EventFactory(draft=True)

    response = client.get(event_url(event))

    assert response.status_code == 404


def test_session_of_draft_event_is_404(client):
    session = SessionFactory(event=EventFactory(draft=True))

    response = client.get(session_url(session))

    assert response.status_code == 404


def test_speaker_only_in_drafts_is_404(client):
    appearance = SessionSpeakerFactory(session=SessionFactory(event=EventFactory(draft=True)))

    response = client.get(speaker_url(appearance.speaker))

    assert response.status_code == 404


def test_home_leaves_out_drafts(client):
    EventFactory(draft=True, title="Unannounced Summit")

    html = client.get(reverse("agenda:home")).content.decode()

    assert "Unannounced Summit" not in html


# What the event page must not or must show ----------------------------------------------------


@pytest.mark.parametrize(
    ("event_format", "where"), [(EventFormat.ONLINE, "Online"), (EventFormat.HYBRID, "and online")]
)
def test_event_page_never_shows_online_url(client, event_format, where):
    event = EventFactory(
        format=event_format,
        capacity_online=50,
        online_url="https://meet.example.org/private-room-7f3a",
    )

    html = client.get(event_url(event)).content.decode()

    assert "private-room-7f3a" not in html
    assert where in html


def test_event_page_sanitises_markdown_description(client):
    event = EventFactory(
        description="## Programme\n\n<script>alert('x')</script>\n\n[site](javascript:alert(1))"
    )

    html = client.get(event_url(event)).content.decode()

    assert "<h2>Programme</h2>" in html
    assert "alert(" not in html
    assert "<script>" not in html


def test_event_page_times_are_in_the_event_timezone(client):
    moment = datetime(2030, 5, 14, 14, 0, tzinfo=NEW_YORK)  # 20:00 in Brussels
    new_york = EventFactory(title="Atlantic Dialogue", timezone="America/New_York", start=moment)
    brussels = EventFactory(title="Brussels Dialogue", timezone="Europe/Brussels", start=moment)
    SessionFactory(event=new_york, title="Keynote")
    SessionFactory(event=brussels, title="Keynote")

    new_york_html = strip_tags(client.get(event_url(new_york)).content.decode())
    brussels_html = strip_tags(client.get(event_url(brussels)).content.decode())

    assert "America/New_York" in new_york_html
    assert "14:00\N{EN DASH}15:00" in new_york_html
    assert "20:00" not in new_york_html
    assert "Europe/Brussels" in brussels_html
    assert "20:00\N{EN DASH}21:00" in brussels_html
    assert "14:00" not in brussels_html


def test_event_page_agenda_groups_sessions_by_day(client):
    event = EventFactory(end=datetime(2030, 5, 15, 18, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    SessionFactory(event=event, title="Day one opening")
    SessionFactory(event=event, title="Day two opening", start=event.start + timedelta(days=1))

    html = client.get(event_url(event)).content.decode()

    assert html.index("Tuesday, 14 May 2030") < html.index("Day one opening")
    assert html.index("Day one opening") < html.index("Wednesday, 15 May 2030")
    assert html.index("Wednesday, 15 May 2030") < html.index("Day two opening")


def test_event_page_marks_cancelled_event(client):
    event = EventFactory(status="cancelled")

    html = client.get(event_url(event)).content.decode()

    assert "This event has been cancelled." in html


@pytest.mark.parametrize(
    ("opens_in_days", "closes_in_days", "expected"),
    [
        (None, None, "There is no registration for this event."),
        (3, 10, "Registration opens on"),
        (-3, 10, "Registration is open until"),
        (-10, -3, "Registration is closed."),
    ],
)
def test_event_page_states_registration_window(client, opens_in_days, closes_in_days, expected):
    now = timezone.now()
    event = EventFactory(
        start=now + timedelta(days=20),
        registration_opens=None if opens_in_days is None else now + timedelta(days=opens_in_days),
        registration_closes=None
        if closes_in_days is None
        else now + timedelta(days=closes_in_days),
    )

    html = client.get(event_url(event)).content.decode()

    assert expected in html
    assert "<form" not in html


def test_public_pages_carry_no_csrf_token_or_user(client, django_user_model):
    event = EventFactory()
    user = django_user_model.objects.create_user(username="organiser-7c2e", is_staff=True)
    client.force_login(user)

    html = client.get(event_url(event)).content.decode()

    assert "csrfmiddlewaretoken" not in html
    assert "organiser-7c2e" not in html


# Language -------------------------------------------------------------------------------------


def test_language_switch_sets_cookie_and_redirects(client):
    response = client.get(reverse("switch-language", args=["fr"]), {"next": "/events/x/"})

    assert response.status_code == 302
    assert response["Location"] == "/events/x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_language_switch_then_pages_are_in_french(client):
    event = EventFactory()
    SessionFactory(event=event)

    client.get(reverse("switch-language", args=["fr"]), {"next": "/"})
    home = client.get(reverse("agenda:home")).content.decode()
    event_html = client.get(event_url(event)).content.decode()

    assert '<html lang="fr">' in home
    assert "Événements à venir" in home
    assert "14 mai 2030" in event_html
    assert "Programme" in event_html


def test_language_switch_unsafe_next_redirects_home(client):
    response = client.get(
        reverse("switch-language", args=["fr"]), {"next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:home")


def test_language_switch_unknown_code_changes_nothing(client):
    response = client.get(reverse("switch-language", args=["xx"]), {"next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switcher_links_back_to_the_current_page(client):
    event = EventFactory(slug="moving-talents")

    html = client.get(event_url(event)).content.decode()

    assert 'href="/language/fr/?next=/events/moving-talents/"' in html
    assert 'lang="en" hreflang="en" aria-current="true"' in html


def test_event_page_cached_per_language(client):
    event = EventFactory()

    english = client.get(event_url(event)).content.decode()
    in_french(client)
    french = client.get(event_url(event)).content.decode()

    assert '<html lang="en">' in english
    assert '<html lang="fr">' in french


# Queries and the page cache ------------------------------------------------------------------


def test_event_page_query_count_same_for_5_and_60_sessions(client, django_assert_num_queries):
    small = event_with_sessions(5)
    large = event_with_sessions(60)

    with django_assert_num_queries(6):
        small_response = client.get(event_url(small))
    with django_assert_num_queries(6):
        large_response = client.get(event_url(large))

    assert small_response.status_code == 200
    assert large_response.content.decode().count('class="session"') == 60


def test_event_page_second_request_is_served_from_cache(client, django_assert_num_queries):
    event = event_with_sessions(5)
    first = client.get(event_url(event))

    with django_assert_num_queries(0):
        second = client.get(event_url(event))

    assert second.content == first.content
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == "en"
    assert second["Content-Length"] == str(len(first.content))


def test_event_page_in_cache_but_version_forgotten_costs_one_query(
    client, django_assert_num_queries
):
    event = event_with_sessions(5)
    client.get(event_url(event))
    caches["default"].clear()

    with django_assert_num_queries(1):
        response = client.get(event_url(event))

    assert response.status_code == 200


def test_event_page_made_draft_is_404_at_once(client):
    event = EventFactory()
    client.get(event_url(event))

    event.status = EventStatus.DRAFT
    event.save()

    assert client.get(event_url(event)).status_code == 404


def test_event_page_old_slug_is_404_after_rename(client):
    event = EventFactory(slug="forum-2030")
    client.get("/events/forum-2030/")

    event.slug = "forum-2031"
    event.save()

    assert client.get("/events/forum-2030/").status_code == 404
    assert client.get("/events/forum-2031/").status_code == 200


def test_event_page_french_visitor_gets_french_copy_from_cache(client):
    event = EventFactory()
    client.get(event_url(event))
    in_french(client)
    client.get(event_url(event))

    french = client.get(event_url(event))

    assert '<html lang="fr">' in french.content.decode()
    assert french["Content-Language"] == "fr"


def test_event_page_shows_an_edited_session(client):
    session = SessionFactory(title="Draft agenda item")
    client.get(event_url(session.event))

    session.title = "Final agenda item"
    session.save()
    html = client.get(event_url(session.event)).content.decode()

    assert "Final agenda item" in html
    assert "Draft agenda item" not in html


def test_home_query_count_same_for_1_and_many_events(client, django_assert_num_queries):
    EventFactory()
    with django_assert_num_queries(2):
        client.get(reverse("agenda:home"))

    now = timezone.now()
    for days in range(-20, 20, 2):
        EventFactory(start=now + timedelta(days=days), online=days % 4 == 0)
    with django_assert_num_queries(2):
        response = client.get(reverse("agenda:home"))

    assert response.content.decode().count('<article class="card') == 21

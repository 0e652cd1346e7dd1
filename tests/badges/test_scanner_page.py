"""The scanner page: who may open it, and what it hands to its script."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def scanner_url(event, **query) -> str:
    url = reverse("scanner:checkin", kwargs={"slug": event.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def page_config(response) -> dict:
    match = re.search(
        r'<script id="scanner-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def test_scanner_page_anonymous_is_sent_to_admin_login(client, event):
    response = client.get(scanner_url(event))

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={scanner_url(event)}"


def test_scanner_page_staff_without_permission_is_forbidden(client, event):
    user = get_user_model().objects.create_user("helper", is_staff=True)
    client.force_login(user)

    response = client.get(scanner_url(event))

    assert response.status_code == 403


def test_scanner_page_user_with_permission_but_not_staff_is_forbidden(client, event):
    user = get_user_model().objects.create_user("volunteer", is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="add_checkin"))
    client.force_login(user)

    response = client.get(scanner_url(event))

    assert response.status_code == 403


def test_scanner_page_staff_with_permission_only_may_scan(client, event):
    user = get_user_model().objects.create_user("door-volunteer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_checkin"))
    client.force_login(user)

    response = client.get(scanner_url(event))

    assert response.status_code == 200


def test_scanner_page_organiser_sees_page(client, organiser, event):
    client.force_login(organiser)

    response = client.get(scanner_url(event))

    assert response.status_code == 200
    assert response.templates[0].name == "badges/scanner.html"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_scanner_page_draft_event_is_not_found(client, organiser):
    draft = EventFactory(draft=True)
    client.force_login(organiser)

    response = client.get(scanner_url(draft))

    assert response.status_code == 404


def test_scanner_page_unknown_event_is_not_found(client, organiser):
    client.force_login(organiser)

    response = client.get(reverse("scanner:checkin", kwargs={"slug": "no-such-event"}))

    assert response.status_code == 404


def test_scanner_page_config_names_event_and_api(client, organiser, event):
    client.force_login(organiser)

    config = page_config(client.get(scanner_url(event)))

    assert config["event"] == {"id": event.pk, "slug": event.slug, "title": event.title}
    assert config["session"] is None
    assert config["timezone"] == "Europe/Brussels"
    assert config["urls"] == {
        "checkin": "/api/v1/checkin/",
        "batch": "/api/v1/checkin/batch/",
        "list": f"/api/v1/events/{event.slug}/checkin-list/",
        "search": f"/api/v1/events/{event.slug}/checkin-search/",
        "stats": f"/api/v1/events/{event.slug}/checkin-stats/",
        "page": "/events/__slug__/checkin/",
    }
    assert config["labels"]["result"]["already_checked_in"] == "Already checked in"


def test_scanner_page_carries_csrf_token_for_the_script(client, organiser, event):
    client = client.__class__(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.get(scanner_url(event))

    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', response.content.decode())
    assert response.cookies["csrftoken"].value != ""
    assert len(token.group(1)) == 64


def test_scanner_page_offers_event_sessions(client, organiser, event):
    workshop = SessionFactory(event=event, title="Skills recognition workshop")
    other = SessionFactory(title="Session of another event")
    client.force_login(organiser)

    response = client.get(scanner_url(event))

    assert [s.title for s in response.context["sessions"]] == ["Skills recognition workshop"]
    assert f'<option value="{workshop.pk}">' in response.content.decode()
    assert f'value="{other.pk}"' not in response.content.decode()


def test_scanner_page_session_in_query_is_chosen(client, organiser, event):
    session = SessionFactory(event=event)
    client.force_login(organiser)

    response = client.get(scanner_url(event, session=session.pk))

    assert page_config(response)["session"] == session.pk
    assert response.context["session"] == session


def test_scanner_page_session_of_other_event_is_ignored(client, organiser, event):
    other = SessionFactory()
    client.force_login(organiser)

    response = client.get(scanner_url(event, session=other.pk))

    assert response.status_code == 200
    assert page_config(response)["session"] is None


def test_scanner_page_event_choice_lists_public_in_person_events(client, organiser, event):
    EventFactory(title="Draft meeting", draft=True)
    EventFactory(title="Kick-off webinar", online=True)
    client.force_login(organiser)

    response = client.get(scanner_url(event))

    assert [e.slug for e in response.context["events"]] == [event.slug]


def test_scanner_page_loads_shipped_decoder_and_nothing_from_outside(client, organiser, event):
    client.force_login(organiser)

    html = client.get(scanner_url(event)).content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/img/logo.svg",
        "/static/badges/scanner.css",
        "/static/badges/vendor/jsQR.js",
        "/static/badges/scanner.js",
    ]


def test_scanner_page_answer_region_is_announced(client, organiser, event):
    client.force_login(organiser)

    html = client.get(scanner_url(event)).content.decode()

    assert '<div id="live" class="visually-hidden" aria-live="assertive"' in html
    assert 'data-state="idle"' in html


def test_scanner_page_speaks_french(client, organiser, event):
    client.force_login(organiser)
    client.cookies["eventsite_language"] = "fr"

    response = client.get(scanner_url(event))

    assert '<html lang="fr">' in response.content.decode()
    assert page_config(response)["labels"]["role"]["speaker"] == "Intervenant"

"""The database connection dropped under a running site: a clean 503, then business as usual."""

import pytest
from django.db import connection

from tests.factories import EventFactory

from .conftest import dropped_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _on_postgres(postgres):
    pass


def test_page_after_dropped_connection_is_503_then_next_request_succeeds(client):
    EventFactory(title="Forum on fair recruitment")

    with dropped_connection():
        response = client.get("/")
    again = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Briefly unavailable" in response.content.decode()
    assert again.status_code == 200
    assert "Forum on fair recruitment" in again.content.decode()


def test_api_after_dropped_connection_answers_the_error_shape_then_succeeds(client):
    EventFactory(title="Forum on fair recruitment")

    with dropped_connection():
        response = client.get("/api/v1/events/")
    again = client.get("/api/v1/events/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["error"]["code"] == "database_unavailable"
    assert body["error"]["fields"] == {}
    assert body["error"]["message"]
    assert again.status_code == 200
    assert [event["title"] for event in again.json()["results"]] == ["Forum on fair recruitment"]


def test_json_client_gets_json_after_dropped_connection(client):
    with dropped_connection():
        response = client.get("/", headers={"Accept": "application/json"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_dropped_connection_is_replaced_not_reused(client):
    with dropped_connection():
        client.get("/")

    # The broken connection was closed by the 503; this one is new and works.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

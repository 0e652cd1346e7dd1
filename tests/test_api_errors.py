"""The API's one error shape, whatever raised the error, and the schema that documents it."""

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework import exceptions

from eventsite.api import exception_handler
from eventsite.exceptions import ApplicationError
from registrations.exceptions import Busy, RegistrationNotOpen
from tests.factories.registrations import open_event


class Renaming:
    def api_field_name(self, field: str) -> str:
        return f"renamed_{field}"


def test_application_error_answers_its_status_code_and_field():
    error = ApplicationError("Choose a mode.", code="mode_required", field="mode")

    response = exception_handler(error, {"view": None})

    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "mode_required",
            "message": "Choose a mode.",
            "fields": {"mode": ["Choose a mode."]},
        }
    }


def test_application_error_subclass_answers_its_own_status():
    response = exception_handler(RegistrationNotOpen("Closed."), {"view": None})

    assert response.status_code == 409
    assert response.data["error"] == {
        "code": "registration_not_open",
        "message": "Closed.",
        "fields": {},
    }


def test_application_error_field_is_renamed_by_the_view():
    error = ApplicationError("Overlap.", field="sessions")

    response = exception_handler(error, {"view": Renaming()})

    assert response.data["error"]["fields"] == {"renamed_sessions": ["Overlap."]}


def test_busy_answers_503_with_retry_after():
    response = exception_handler(Busy(), {"view": None})

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.data["error"]["code"] == "busy_retry"


def test_throttled_keeps_retry_after():
    response = exception_handler(exceptions.Throttled(wait=7), {"view": None})

    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert response.data["error"]["code"] == "throttled"


def test_django_permission_denied_takes_the_shape():
    response = exception_handler(PermissionDenied(), {"view": None})

    assert response.status_code == 403
    assert response.data["error"]["code"] == "permission_denied"


def test_unexpected_error_is_left_to_django():
    response = exception_handler(ValueError("bug"), {"view": None})

    assert response is None


def test_validation_error_nested_fields_are_dotted_and_general_ones_are_the_message():
    error = exceptions.ValidationError(
        {
            "non_field_errors": ["Dates do not match."],
            "picks": {0: ["A number."]},
            "email": ["Bad."],
        }
    )

    response = exception_handler(error, {"view": None})

    assert response.status_code == 400
    assert response.data["error"] == {
        "code": "invalid",
        "message": "Dates do not match.",
        "fields": {"picks.0": ["A number."], "email": ["Bad."]},
    }


@pytest.mark.django_db
def test_unknown_event_is_404_in_the_shape(client):
    response = client.get("/api/v1/events/no-such-event/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


@pytest.mark.django_db
def test_wrong_method_is_405_in_the_shape(client):
    event = open_event()

    response = client.get(f"/api/v1/events/{event.slug}/registrations/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_malformed_json_is_parse_error(client):
    event = open_event()

    response = client.post(
        f"/api/v1/events/{event.slug}/registrations/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
def test_list_item_errors_are_named_by_position(client):
    event = open_event()

    response = client.post(
        f"/api/v1/events/{event.slug}/registrations/",
        {"session_ids": [3, "x"]},
        content_type="application/json",
    )

    fields = response.json()["error"]["fields"]
    assert fields["session_ids.1"] == ["A valid integer is required."]
    assert "session_ids.0" not in fields


def test_api_schema_generates_and_validates_without_warnings(tmp_path):
    reset_generator_stats()  # warnings of earlier schema requests in this process do not count
    path = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    create = schema["paths"]["/api/v1/events/{event_slug}/registrations/"]["post"]
    assert sorted(create["responses"]) == [
        "200",
        "201",
        "202",
        "400",
        "403",
        "404",
        "409",
        "429",
        "503",
    ]
    assert create["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert sorted(schema["components"]["schemas"]["ErrorDetail"]["properties"]) == [
        "code",
        "fields",
        "message",
    ]

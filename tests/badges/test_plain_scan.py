"""The door's everyday scan skips ScanSerializer (badges.api.serializers.plain_scan): whatever the
short way accepts, ScanSerializer accepts too, with the same values; the rest goes the long way."""

import pytest

from badges.api.serializers import ScanSerializer, plain_scan

from .conftest import scan

CODE = "7-ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCDEFGHIJ"

REQUESTS = [
    {"event": "moving-talents", "code": CODE},
    {"event": "moving-talents", "code": CODE, "idempotency_key": "scan-1"},
    {"event": "moving-talents", "code": CODE, "idempotency_key": ""},
    {"event": "moving-talents", "code": "", "idempotency_key": "scan-1"},
    {"event": "moving-talents", "code": f" {CODE.lower()}\n"},
    {"event": "moving-talents", "code": CODE, "idempotency_key": " scan-1 "},
    {"event": "moving-talents", "code": CODE, "idempotency_key": "   "},
    {"event": "moving-talents", "code": CODE, "idempotency_key": "k" * 100},
    {"event": "moving-talents", "code": CODE, "idempotency_key": "k" * 101},
    {"event": "moving-talents", "code": "C" * 1000},
    {"event": "moving-talents", "code": "C" * 1001},
    {"event": "moving-talents", "code": "A\x00B"},
    {"event": "moving-talents", "code": "A\ud800B"},
    {"event": "moving-talents", "code": CODE, "idempotency_key": "a\x00"},
    {"event": "moving-talents", "code": 7},
    {"event": "moving-talents", "code": None},
    {"event": "moving-talents", "code": CODE, "idempotency_key": 12},
    {"event": "moving talents", "code": CODE},
    {"event": "moving-talents\n", "code": CODE},
    {"event": "mövïng", "code": CODE},
    {"event": "e" * 100, "code": CODE},
    {"event": "e" * 101, "code": CODE},
    {"event": "", "code": CODE},
    {"event": 5, "code": CODE},
    {"code": CODE},
    {"event": "moving-talents"},
    {"event": "moving-talents", "code": CODE, "session": 3},
    {"event": "moving-talents", "code": CODE, "session": None},
    {"event": "moving-talents", "registration": 3},
    {"event": "moving-talents", "code": CODE, "registration": 3},
    {"event": "moving-talents", "code": CODE, "scanned_at": "2026-05-04T10:00:00Z"},
    {"event": "moving-talents", "code": CODE, "colour": "blue"},
    [],
    "moving-talents",
    None,
]


@pytest.mark.parametrize("data", REQUESTS)
def test_plain_scan_accepts_only_what_the_serializer_accepts_alike(data):
    short = plain_scan(data)
    serializer = ScanSerializer(data=data)

    valid = serializer.is_valid()

    if short is not None:
        assert valid
        assert short == dict(serializer.validated_data)


@pytest.mark.parametrize(
    "data",
    [
        {"event": "moving-talents", "code": CODE},
        {"event": "moving-talents", "code": CODE, "idempotency_key": "8a1f-44"},
        {"event": "moving-talents", "code": "hello", "idempotency_key": ""},
    ],
)
def test_plain_scan_takes_what_scanners_send(data):
    assert plain_scan(data) == data


def test_plain_scan_declined_request_gets_the_serializers_message(client_of_device, event):
    response = scan(client_of_device, event, CODE, idempotency_key="k" * 101)

    body = response.json()
    assert response.status_code == 400
    assert body["error"]["code"] == "invalid"
    assert list(body["error"]["fields"]) == ["idempotency_key"]

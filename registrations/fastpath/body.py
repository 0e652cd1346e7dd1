"""The everyday registration's body, read as the API's serializer reads it
(``api.serializers.RegistrationCreateSerializer``): only a body the serializer would accept as
it is, bar the whitespace it trims, is the fast path's; anything else is the view's to answer,
with the serializer's own messages."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django_countries import countries

from members.enums import OrganisationType

from ..enums import AttendanceMode

# The serializer's text fields: longest length after trimming, and whether one is required.
TEXTS = {
    "first_name": (100, True),
    "last_name": (100, True),
    "email": (254, True),
    "organisation_name": (200, True),
    "organisation_country": (2, True),
    "job_title": (200, False),
    "accessibility_needs": (2000, False),
    "dietary_needs": (2000, False),
}
# The serializer's choices, taken as they are (it does not trim them).
CHOICES = ("organisation_type", "mode", "language")
FLAGS = ("privacy_accepted", "photo_consent", "participant_list_consent")
# Fields taken only empty: anything in them is the view's to check.
EMPTY = {"answers": ({},), "session_ids": ([],), "invitation_code": ("",)}
FIELDS = frozenset({*TEXTS, *CHOICES, *FLAGS, *EMPTY})
# Read once: the enums build their lists anew at each reading.
ORGANISATION_TYPES = frozenset(OrganisationType.values)
MODES = frozenset(["", *AttendanceMode.values])


def plain_registration(data: Any) -> dict[str, Any] | None:
    """The body's values as the serializer would give them, if it would accept the body as the
    everyday registration; otherwise None."""
    if type(data) is not dict or not FIELDS.issuperset(data):
        return None
    values: dict[str, Any] = {}
    for name, (longest, required) in TEXTS.items():
        value = data.get(name, "")
        if type(value) is not str:
            return None
        value = value.strip()
        if (required and not value) or len(value) > longest or not _plain_text(value):
            return None
        values[name] = value
    for name in FLAGS:
        value = data.get(name, False)
        if type(value) is not bool:
            return None
        values[name] = value
    for name, allowed in EMPTY.items():
        if name in data and data[name] not in allowed:
            return None
    for name in CHOICES:
        value = data.get(name, "")
        if type(value) is not str:
            return None
        values[name] = value
    country = values["organisation_country"].upper()
    if (
        not values["privacy_accepted"]
        or values["organisation_type"] not in ORGANISATION_TYPES
        or values["mode"] not in MODES
        or ("language" in data and values["language"] not in dict(settings.LANGUAGES))
        or len(values["organisation_country"]) != 2
        or country not in countries
    ):
        return None
    values["organisation_country"] = country
    try:
        validate_email(values["email"])
    except ValidationError:
        return None
    return values


def _plain_text(value: str) -> bool:
    """Free of what the serializer refuses in any text: NUL characters and lone surrogates."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

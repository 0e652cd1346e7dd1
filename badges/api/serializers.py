"""Serializers of the check-in API: they parse requests and document answers; nothing saves."""

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from eventsite.api import MAX_ID
from members.enums import OrganisationType
from registrations.enums import AttendanceMode

from ..enums import BadgeRole, RevokeReason, ScanResult
from ..models import PrintRunStatus

BATCH_LIMIT = 200


class ScanSerializer(serializers.Serializer):
    event = serializers.SlugField(max_length=100, help_text=_("The event's slug."))
    code = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("What the QR code holds, as read. Give either this or `registration`."),
    )
    registration = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("A registration found by search, for a person without their badge."),
    )
    session = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("For a check-in into a session of the event rather than at its door."),
    )
    idempotency_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_(
            "Chosen by the scanner, unique per scan: sending the scan again with it returns the "
            "first answer and changes nothing."
        ),
    )
    scanned_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("When a scan made offline was made, by the device's clock."),
    )

    def validate(self, attrs):
        if ("code" in attrs) == ("registration" in attrs):
            raise serializers.ValidationError(_("Give either a code or a registration."))
        return attrs


SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# What DRF's CharField refuses in any string: NUL, and surrogates (unpaired, from JSON escapes).
REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
PLAIN_SCAN_FIELDS = frozenset({"event", "code", "idempotency_key"})


def plain_scan(data: Any) -> dict[str, str] | None:
    """The door's everyday scan, validated without the serializer; None for any other request.

    A scanner sends the event, the code and an idempotency key, as JSON, and nothing else.
    Such a request is checked here directly: ``ScanSerializer``'s machinery (copying its fields,
    running each field's validators) took about a tenth of a scan's time. Anything else (a
    session, a registration, an offline time, another type, whitespace to trim, a value too
    long) returns None and goes through ``ScanSerializer``, which gives the API's messages.
    This accepts only what ``ScanSerializer`` accepts, and gives the same values
    (``tests/badges/test_plain_scan.py`` holds the two together).
    """
    if type(data) is not dict or not data.keys() <= PLAIN_SCAN_FIELDS:
        return None
    event, code, key = data.get("event"), data.get("code"), data.get("idempotency_key", "")
    if type(event) is not str or type(code) is not str or type(key) is not str:
        return None
    fields = ScanSerializer._declared_fields
    if (
        len(event) > fields["event"].max_length
        or not SLUG.fullmatch(event)
        or len(code) > fields["code"].max_length
        or len(key) > fields["idempotency_key"].max_length
        or key != key.strip()
        or REFUSED_CHARACTERS.search(code)
        or REFUSED_CHARACTERS.search(key)
    ):
        return None
    scan = {"event": event, "code": code}
    if "idempotency_key" in data:
        scan["idempotency_key"] = key
    return scan


class BatchScanSerializer(ScanSerializer):
    """A scan queued offline: it must say when it was made and carry its idempotency key."""

    idempotency_key = serializers.CharField(max_length=100)
    scanned_at = serializers.DateTimeField()


class BatchSerializer(serializers.Serializer):
    scans = serializers.ListField(child=BatchScanSerializer(), min_length=1, max_length=BATCH_LIMIT)


# --- answers (documentation) ---------------------------------------------------------------------


class AttendeeSerializer(serializers.Serializer):
    registration = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    role = serializers.ChoiceField(choices=BadgeRole.choices)
    role_label = serializers.CharField()
    mode = serializers.ChoiceField(choices=AttendanceMode.choices)
    mode_label = serializers.CharField()
    needs_assistance = serializers.BooleanField()
    accessibility_needs = serializers.CharField(
        required=False,
        help_text=_("Only for devices and people allowed to see accessibility needs."),
    )


class CheckInInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text=_("The device's name or the organiser's username."))
    device = serializers.CharField(allow_null=True)
    offline = serializers.BooleanField()


class SessionInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class OtherEventSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class ScanAnswerSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ScanResult.choices)
    message = serializers.CharField(help_text=_("What to tell the person, in the page's language."))
    session = SessionInfoSerializer(allow_null=True)
    attendee = AttendeeSerializer(
        allow_null=True, help_text=_("Empty when the code names nobody of this event.")
    )
    checkin = CheckInInfoSerializer(
        required=False, help_text=_("The check-in made, or the earlier one.")
    )
    status = serializers.CharField(
        required=False,
        help_text=_("With not_confirmed: the registration's status, or `not_signed_up`."),
    )
    revoke_reason = serializers.CharField(required=False)
    other_event = OtherEventSerializer(
        required=False, allow_null=True, help_text=_("With other_event, if it is public.")
    )
    conflict = serializers.BooleanField(
        required=False,
        help_text=_("With already_checked_in: an offline scan that someone else checked in."),
    )


class BatchAnswerSerializer(serializers.Serializer):
    results = ScanAnswerSerializer(many=True)


class CheckInListEntrySerializer(serializers.Serializer):
    code_hash = serializers.CharField(help_text=_("SHA-256 (hex) of the code, upper case."))
    status = serializers.CharField(
        help_text=_("confirmed, not_signed_up, revoked, or the registration's status.")
    )
    registration = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False)
    organisation = serializers.CharField(required=False)
    role = serializers.CharField(required=False)
    mode = serializers.CharField(required=False)
    needs_assistance = serializers.BooleanField(required=False)
    checked_in_at = serializers.DateTimeField(required=False, allow_null=True)


class CheckInListSerializer(serializers.Serializer):
    event = serializers.CharField()
    session = serializers.IntegerField(allow_null=True)
    generated_at = serializers.DateTimeField()
    entries = CheckInListEntrySerializer(many=True)


class SearchResultSerializer(serializers.Serializer):
    registration = serializers.IntegerField()
    status = serializers.CharField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    role = serializers.CharField()
    mode = serializers.CharField()
    needs_assistance = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class SearchSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    conflicts = serializers.IntegerField()


class UndoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    undone_at = serializers.DateTimeField()


# --- badges and print runs, for organisers -------------------------------------------------------


class OrganiserBadgeSerializer(serializers.Serializer):
    """A registration's current badge, without its code: the code is only ever printed."""

    registration = serializers.IntegerField(source="registration_id")
    event = serializers.SlugField(source="event.slug", help_text=_("The event's slug."))
    role = serializers.ChoiceField(choices=BadgeRole.choices)
    role_label = serializers.CharField(source="get_role_display")
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Null while the badge is valid.")
    )
    revoke_reason = serializers.ChoiceField(
        choices=RevokeReason.choices,
        allow_blank=True,
        help_text=_("Why the badge was revoked; empty while it is valid."),
    )
    declined_photos = serializers.SerializerMethodField(
        help_text=_("The person did not agree to be photographed: the badge says so.")
    )
    pdf = serializers.SerializerMethodField(
        help_text=_("Address of the badge as an A6 PDF (for a revoked badge: its successor's).")
    )

    def get_declined_photos(self, badge) -> bool:
        return not badge.registration.photo_consent

    def get_pdf(self, badge) -> str:
        return self.context["pdf_url"](badge)


class PrintRunRequestSerializer(serializers.Serializer):
    """Which badges to print, as on the print-run page; every field left out means "all"."""

    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=BadgeRole.choices),
        required=False,
        max_length=len(BadgeRole.choices),
        help_text=_("Only these roles; none: every role."),
    )
    organisation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=OrganisationType.choices),
        required=False,
        max_length=len(OrganisationType.choices),
        help_text=_("Only people of these organisation types; none: every type."),
    )
    # Letters checked below rather than by a pattern: with a pattern, the schema would offer an
    # empty value twice (the pattern's and the blank one's), which validators refuse.
    name_from = serializers.CharField(
        max_length=1,
        required=False,
        allow_blank=True,
        help_text=_("Last names from this letter (A to Z) on, inclusive; empty: from A."),
    )
    name_to = serializers.CharField(
        max_length=1,
        required=False,
        allow_blank=True,
        help_text=_("Last names up to this letter (A to Z), inclusive; empty: to Z."),
    )

    def _letter(self, value: str) -> str:
        if value and not (value.isascii() and value.isalpha()):
            raise serializers.ValidationError(_("Give one letter, A to Z."))
        return value.upper()

    def validate_name_from(self, value: str) -> str:
        return self._letter(value)

    def validate_name_to(self, value: str) -> str:
        return self._letter(value)

    def validate(self, attrs):
        name_from, name_to = attrs.get("name_from", ""), attrs.get("name_to", "")
        if name_from and name_to and name_from > name_to:
            raise serializers.ValidationError(
                {"name_to": [_("The range must end at or after the letter it starts at.")]}
            )
        return attrs


class PrintRunSerializer(serializers.Serializer):
    """A print run: where its making stands, and its file once made."""

    id = serializers.IntegerField()
    event = serializers.SlugField(source="event.slug", help_text=_("The event's slug."))
    # A string rather than an enum: the report's status has the same values and labels, and the
    # schema would name the two one enum.
    status = serializers.CharField(help_text=_("queued, running, done or failed."))
    status_label = serializers.CharField(source="get_status_display")
    done = serializers.IntegerField(help_text=_("Badges laid out so far."))
    total = serializers.IntegerField(help_text=_("Badges the run holds."))
    percent = serializers.IntegerField(min_value=0, max_value=100)
    filters = PrintRunRequestSerializer(help_text=_("Which badges the run holds."))
    error = serializers.CharField(help_text=_("Why the run failed; empty otherwise."))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file = serializers.SerializerMethodField(
        help_text=_("Address of the PDF (A4 sheets of four badges); null until made.")
    )

    def get_file(self, print_run) -> str | None:
        if print_run.status != PrintRunStatus.DONE or not print_run.file:
            return None
        return self.context["file_url"](print_run)

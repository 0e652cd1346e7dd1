"""Serializers of the check-in API: they parse requests and document answers; nothing saves."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registrations.enums import AttendanceMode

from ..enums import BadgeRole, ScanResult

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
        help_text=_("A registration found by search, for a person without their badge."),
    )
    session = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
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

from django.db import models
from django.utils.translation import gettext_lazy as _


class BadgeRole(models.TextChoices):
    ATTENDEE = "attendee", _("Attendee")
    SPEAKER = "speaker", _("Speaker")
    ORGANISER = "organiser", _("Organiser")
    STAFF = "staff", _("Staff")
    PRESS = "press", _("Press")


class ScanResult(models.TextChoices):
    """The answer to one scan; the scanner page shows green for the first, amber or red else."""

    CHECKED_IN = "checked_in", _("Checked in")
    ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    REVOKED = "revoked", _("Badge revoked")
    OTHER_EVENT = "other_event", _("Badge of another event")
    UNKNOWN = "unknown", _("Unknown badge")
    TAMPERED = "tampered", _("Altered or forged code")
    MALFORMED = "malformed", _("Not a badge code")


class LogEntryKind(models.TextChoices):
    """What the scan log records: every answer, and organisers undoing a check-in."""

    CHECKED_IN = ScanResult.CHECKED_IN.value, ScanResult.CHECKED_IN.label
    ALREADY_CHECKED_IN = ScanResult.ALREADY_CHECKED_IN.value, ScanResult.ALREADY_CHECKED_IN.label
    NOT_CONFIRMED = ScanResult.NOT_CONFIRMED.value, ScanResult.NOT_CONFIRMED.label
    REVOKED = ScanResult.REVOKED.value, ScanResult.REVOKED.label
    OTHER_EVENT = ScanResult.OTHER_EVENT.value, ScanResult.OTHER_EVENT.label
    UNKNOWN = ScanResult.UNKNOWN.value, ScanResult.UNKNOWN.label
    TAMPERED = ScanResult.TAMPERED.value, ScanResult.TAMPERED.label
    MALFORMED = ScanResult.MALFORMED.value, ScanResult.MALFORMED.label
    UNDONE = "undone", _("Check-in undone")


class RevokeReason(models.TextChoices):
    REISSUED = "reissued", _("A new badge was issued")
    CANCELLED = "cancelled", _("Registration cancelled")
    DECLINED = "declined", _("Registration declined")

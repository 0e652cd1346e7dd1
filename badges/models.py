import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event, Session
from registrations.models import Registration

from .enums import BadgeRole, LogEntryKind, RevokeReason


class Badge(models.Model):
    """The code printed on one registration's badge. Re-issuing revokes the old row."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="badges",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="badges"
    )
    code = models.CharField(_("code"), max_length=64, unique=True)
    role = models.CharField(
        _("role"), max_length=20, choices=BadgeRole.choices, default=BadgeRole.ATTENDEE
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("why revoked"), max_length=100, blank=True, choices=RevokeReason.choices
    )

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="badge_one_valid_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} ({self.get_role_display()})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def code_hash(self) -> str:
        return code_hash(self.code)


def code_hash(code: str) -> str:
    """What a scanner's offline list holds instead of the code: a code cannot be made from it."""
    return hashlib.sha256(code.encode()).hexdigest()


class Device(models.Model):
    """A scanner (phone, laptop, gate) allowed to check people in at some events.

    Its token is shown once, when it is made; only its SHA-256 is kept, so a copy of the
    database lets nobody scan.
    """

    name = models.CharField(_("name"), max_length=100)
    events = models.ManyToManyField(
        Event,
        verbose_name=_("events"),
        related_name="checkin_devices",
        help_text=_("The events whose attendees this device may check in, search and list."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False, blank=True)
    shows_accessibility_needs = models.BooleanField(
        _("shows accessibility needs"),
        default=False,
        help_text=_(
            "Off: the device learns only that a person needs assistance, not what they "
            "told us. Turn on for the desk that helps them."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in device")
        verbose_name_plural = _("check-in devices")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class CheckIn(models.Model):
    """A person let in at the door (no session) or into a session.

    Undoing keeps the row and sets ``undone_at``, so the history stays and a new check-in can
    follow; the constraints allow one check-in not undone per registration and session.
    """

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="checkins",
    )
    # The registration's event, kept here so that counts at the door read one table.
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="checkins"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkins",
    )
    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        help_text=_("Empty when found by name rather than scanned."),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    offline = models.BooleanField(
        _("scanned offline"),
        default=False,
        help_text=_("Scanned while the device had no network and sent later."),
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-pk"]
        permissions = [
            (
                "view_accessibility_needs",
                _("Can see attendees' accessibility needs when checking them in"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(session__isnull=True, undone_at__isnull=True),
                name="checkin_one_per_registration",
            ),
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(session__isnull=False, undone_at__isnull=True),
                name="checkin_one_per_registration_and_session",
            ),
        ]
        indexes = [models.Index(fields=["event", "session", "undone_at"])]

    def __str__(self) -> str:
        return f"{self.registration} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def by_label(self) -> str:
        if self.device_id is not None:
            return str(self.device)
        if self.user_id is not None:
            return self.user.get_username()
        return ""


class ScanLog(models.Model):
    """Every scan, accepted or not, with the answer it got; also check-ins undone.

    The scanned code itself is never stored: ``code_hash`` is the start of its SHA-256, enough
    to tell scans of the same badge apart from others. ``response`` is the answer as sent, so a
    retry with the same idempotency key gets exactly the same answer.
    """

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="scan_logs"
    )
    at = models.DateTimeField(_("received"), default=timezone.now)
    scanned_at = models.DateTimeField(
        _("scanned"), null=True, blank=True, help_text=_("The device's time of an offline scan.")
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scan_logs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # "device:<id>" or "user:<id>": whose idempotency keys these are.
    actor_key = models.CharField(max_length=40)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    code_hash = models.CharField(_("code (hashed)"), max_length=16, blank=True)
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checkin = models.ForeignKey(
        CheckIn,
        verbose_name=_("check-in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scan_logs",
    )
    result = models.CharField(_("result"), max_length=30, choices=LogEntryKind.choices)
    offline = models.BooleanField(_("scanned offline"), default=False)
    conflict = models.BooleanField(
        _("conflict"),
        default=False,
        help_text=_(
            "Scanned offline, but another device or person had already checked this badge in."
        ),
    )
    response = models.JSONField(_("answer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scan log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor_key", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="scanlog_one_answer_per_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "at"]),
            models.Index(fields=["event", "conflict"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_result_display()}"


# --- print runs (badges/printing.py) -------------------------------------------------------------


def print_run_path(instance: "PrintRun", filename: str) -> str:
    # Random: the file holds names and codes, and media files may be served without a check.
    return f"badges/print-runs/{instance.event_id}/{secrets.token_urlsafe(16)}.pdf"


class PrintRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PrintRun(models.Model):
    """A PDF of an event's badges on A4 sheets, made by a task; progress in ``done``/``total``."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="print_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"), max_length=20, choices=PrintRunStatus.choices, default=PrintRunStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("badges done"), default=0)
    total = models.PositiveIntegerField(_("badges in all"), default=0)
    file = models.FileField(_("file"), upload_to=print_run_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("badge print run")
        verbose_name_plural = _("badge print runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

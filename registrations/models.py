import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event, Session
from members.models import Person

from .enums import (
    ACTIVE_STATUSES,
    AttendanceMode,
    EmailKind,
    EmailStatus,
    PickStatus,
    QuestionKind,
    RegistrationStatus,
)


def new_token() -> str:
    """256 random bits, URL-safe: the key to an attendee's own registration page."""
    return secrets.token_urlsafe(32)


def new_invitation_code() -> str:
    """80 random bits in an alphabet without look-alike characters, grouped for reading aloud."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class RegistrationSettings(models.Model):
    """How an event takes registrations, beside the event itself (agenda knows nothing of it)."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="registration_settings"
    )
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("A pending registration holds no seat until an organiser approves it."),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.event)


class PrivacyNotice(models.Model):
    """A version of the privacy notice; without an event it is the network's default."""

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="privacy_notices",
    )
    version = models.CharField(_("version"), max_length=20)
    text = models.TextField(_("text"), help_text=_("Markdown."))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "version"],
                name="privacy_notice_unique_version",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event or _('Network')} v{self.version}"


class Question(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For single and multiple choice: a list of options, e.g. ["A", "B"].'),
    )
    required = models.BooleanField(_("required"), default=False)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "The answers can reveal health, religion, beliefs or similar (special-category "
            "data): only organisers allowed to see such data see them, exports leave them out "
            "unless asked, and they are erased soon after the event."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class Invitation(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations"
    )
    code = models.CharField(_("code"), max_length=24, unique=True, default=new_invitation_code)
    email = models.EmailField(
        _("for email"), blank=True, help_text=_("Empty: anyone with the code or link may use it.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    uses = models.PositiveIntegerField(_("uses so far"), default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")), name="invitation_uses_within_limit"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Registration(models.Model):
    # No index of its own: the indexes and the constraint below all start with the event. Each
    # index is written at every registration, under the event's lock in a rush.
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="registrations",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    mode = models.CharField(_("attendance"), max_length=20, choices=AttendanceMode.choices)
    # Unique by a constraint rather than unique=True, which would add a second index for LIKE
    # searches that no one makes on a token.
    token = models.CharField(max_length=64, default=new_token, editable=False)
    language = models.CharField(_("language"), max_length=10, default="en")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    dietary_needs = models.TextField(_("dietary needs"), blank=True)
    privacy_notice = models.ForeignKey(
        PrivacyNotice, verbose_name=_("privacy notice"), on_delete=models.PROTECT, related_name="+"
    )
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted"))
    photo_consent = models.BooleanField(_("agrees to be photographed"), default=False)
    participant_list_consent = models.BooleanField(
        _("agrees to appear in the participant list"),
        default=False,
        help_text=_("Name and organisation shown to the other confirmed attendees."),
    )
    # Place in the line: the earliest waitlisted_at is promoted first.
    waitlisted_at = models.DateTimeField(_("waitlisted since"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when retention or an erasure removed whose registration this was (privacy.services);
    # status, mode, organisation and country stay for the statistics.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        permissions = [
            (
                "view_special_category",
                _("Can see accessibility and dietary needs and answers to sensitive questions"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="registration_one_per_event_and_person",
                violation_error_message=_("This person is already registered for this event."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.WAITLISTED) | Q(waitlisted_at__isnull=False),
                name="registration_waitlisted_has_place",
            ),
            models.UniqueConstraint(fields=["token"], name="registration_token_unique"),
        ]
        indexes = [
            models.Index(fields=["event", "mode", "status", "waitlisted_at"]),
            # The organisers' list of an event, newest first, a page at a time.
            models.Index(fields=["event", "created_at", "id"], name="registration_event_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class SessionPick(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="session_picks"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="picks"
    )
    status = models.CharField(_("status"), max_length=20, choices=PickStatus.choices)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session pick")
        verbose_name_plural = _("session picks")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="session_pick_unique"),
        ]
        indexes = [models.Index(fields=["session", "status", "waitlisted_at"])]

    def __str__(self) -> str:
        return f"{self.registration} – {self.session}"


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class AuditEntry(models.Model):
    """What happened to a registration, when, by whom and why; written with the change itself."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="audit_entries"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=100)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["at", "pk"]
        indexes = [
            # The entries that end a registration, few among all: badges issued before one
            # are no longer valid (badges.services.issue_missing_badges looks for them).
            models.Index(
                fields=["registration", "at"],
                condition=Q(
                    to_status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED]
                ),
                name="auditentry_ending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class OutboxEmail(models.Model):
    """An email as written in the transaction that caused it; a task sends it after commit.

    A registration's email is written with ``context`` (what its templates need that can change
    before it is sent: the registration's status, mode, language, waitlist position and session
    picks at the time) and without bodies; the sending task renders it from the registration and
    that context, and stores what it sent. An email written with its bodies (``context`` empty)
    is sent as it is.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    context = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.subject

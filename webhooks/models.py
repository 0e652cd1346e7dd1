import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agenda.models import Event

from .enums import DeliveryStatus, WebhookEventType
from .validators import validate_target_url


def new_secret() -> str:
    """256 random bits, URL-safe: the key both sides sign and check payloads with."""
    return secrets.token_urlsafe(32)


def default_event_types() -> list[str]:
    return list(WebhookEventType.values)


class Webhook(models.Model):
    """An organiser's system that wants to hear of registrations and check-ins."""

    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(
        _("target address"),
        max_length=500,
        validators=[validate_target_url],
        help_text=_("Where the platform POSTs each event, e.g. https://crm.example.org/hooks/."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        editable=False,
        help_text=_("Payloads are signed with it (docs/webhooks.md). Rotate it if it leaked."),
    )
    all_events = models.BooleanField(
        _("all events"),
        default=False,
        help_text=_("Every event, present and future. Otherwise only the events chosen below."),
    )
    events = models.ManyToManyField(
        Event, verbose_name=_("events"), blank=True, related_name="webhooks"
    )
    event_types = models.JSONField(
        _("what to send"),
        default=default_event_types,
        help_text=_("The kinds of change this system receives."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Turned off automatically when the receiver answers 410 Gone."),
    )
    disabled_reason = models.CharField(_("why it was turned off"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one webhook: written with the change, sent by a task after the commit.

    ``payload`` holds the event and data as they were at the change; the envelope (id, type,
    time) is added when sending, and the body signed then.
    """

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Also the lease of the worker sending it: a claim moves it forward (services.deliver).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"

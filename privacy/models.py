"""Requests people make about their data, and the record of every erasure.

Neither keeps who a request or an erasure was about once it is done: a ``DataRequest`` holds the
address only while it waits for confirmation or while its copy can be downloaded, and an
``ErasureLog`` never holds it at all. Link tokens are stored as their SHA-256 only, so a copy of
the database lets nobody confirm a request or download a copy.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event
from members.models import Person

from .enums import ErasureSource, RequestKind, RequestStatus


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DataRequest(models.Model):
    """Someone asked, from the privacy page, for a copy of their data or for its erasure."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.AWAITING
    )
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_("Kept only until the request is done or has expired."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    expires_at = models.DateTimeField(_("link valid until"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        permissions = [
            ("erase_person", _("Can erase a person's data across all events")),
            ("export_person", _("Can download everything held about a person")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ErasureLog(models.Model):
    """That personal data was erased or anonymised, when, why and how much: never whose."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    source = models.CharField(_("why"), max_length=20, choices=ErasureSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organiser who erased someone; empty for requests and scheduled tasks."),
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For retention and needs: the event whose data it was."),
    )
    counts = models.JSONField(_("what was removed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_source_display()}"

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.models import Event
from registrations.models import Registration

from .enums import BadgeRole


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
    revoke_reason = models.CharField(_("why revoked"), max_length=100, blank=True)

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

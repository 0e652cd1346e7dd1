import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .enums import OrganisationType


def new_calendar_token() -> str:
    """256 random bits, URL-safe: the key to a person's own calendar feed."""
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = CountryField(_("country"), help_text=_("Where the organisation is based."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="organisation_unique_name_country",
                violation_error_message=_("An organisation with this name and country exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """One person across all events, found by email."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    # Calendar applications fetch the personal feed without signing in; renewing the token
    # (members.services.renew_calendar_token) cuts off every copy of the old address. Unique by
    # a constraint, without unique=True's second index for LIKE searches.
    calendar_token = models.CharField(max_length=64, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set on the stand-in that keeps an anonymised registration's organisation and country for
    # the statistics (privacy.services): it has no name, and its address is made up.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="person_unique_email",
                violation_error_message=_("A person with this email address exists."),
            ),
            models.UniqueConstraint(fields=["calendar_token"], name="person_calendar_token_unique"),
        ]

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return str(_("Anonymised person"))
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        # Addresses are compared without case; stored lower-case so lookups can use the index.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

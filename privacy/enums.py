from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    ACCESS = "access", _("A copy of my data")
    ERASURE = "erasure", _("Erase my data")


class RequestStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting confirmation by email")
    READY = "ready", _("Confirmed: the copy can be downloaded")
    DONE = "done", _("Done")
    NOTHING_HELD = "nothing_held", _("No data held about the address")
    EXPIRED = "expired", _("Not confirmed in time")


class ErasureSource(models.TextChoices):
    REQUEST = "request", _("The person's request, confirmed by email")
    ORGANISER = "organiser", _("An organiser")
    RETENTION = "retention", _("Retention period over")
    SPECIAL_CATEGORY = "special_category", _("Needs and sensitive answers past their time")

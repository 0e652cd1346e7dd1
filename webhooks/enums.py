from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", _("Registration created")
    REGISTRATION_CHANGED = "registration.changed", _("Registration changed")
    CHECKIN_CREATED = "checkin.created", _("Check-in")
    CHECKIN_UNDONE = "checkin.undone", _("Check-in undone")


# Not something a webhook subscribes to: sent only when an organiser asks for a test.
PING = "ping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")

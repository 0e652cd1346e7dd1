from django.db import models
from django.utils.translation import gettext_lazy as _


class BadgeRole(models.TextChoices):
    ATTENDEE = "attendee", _("Attendee")
    SPEAKER = "speaker", _("Speaker")
    ORGANISER = "organiser", _("Organiser")
    STAFF = "staff", _("Staff")
    PRESS = "press", _("Press")

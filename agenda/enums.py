from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    KICK_OFF = "kick_off", _("Kick-off meeting")
    THEMATIC_MEETING = "thematic_meeting", _("Thematic meeting")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other")


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Audience(models.TextChoices):
    OPEN = "open", _("Open to all")
    MEMBERS = "members", _("Members only")
    INVITATION = "invitation", _("By invitation only")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    PANEL = "panel", _("Panel")
    WORKSHOP = "workshop", _("Workshop")
    BREAKOUT = "breakout", _("Breakout")
    NETWORKING = "networking", _("Networking")
    BREAK = "break", _("Break")
    OTHER = "other", _("Other")


class SpeakerRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")
    CHAIR = "chair", _("Chair")
    PRESENTING_MEMBER = "presenting_member", _("Presenting member")
    RAPPORTEUR = "rapporteur", _("Rapporteur")


class RegistrationWindow(models.TextChoices):
    """Where an event stands with respect to its registration period, at a given moment."""

    NOT_OFFERED = "not_offered", _("No registration")
    NOT_YET_OPEN = "not_yet_open", _("Not yet open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")

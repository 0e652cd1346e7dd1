import hashlib
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from members.models import Organisation, Person

from .enums import (
    Audience,
    EventFormat,
    EventKind,
    EventStatus,
    RegistrationWindow,
    SessionKind,
    SpeakerRole,
)
from .validators import MaxFileSizeValidator, validate_document_file

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.POSTPONED, EventStatus.CANCELLED)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone, e.g. Europe/Brussels."),
            code="invalid_timezone",
            params={"value": value},
        )


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("street address"), max_length=300)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    map_url = models.URLField(_("map link"), blank=True)
    directions = models.TextField(_("directions"), blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def full_address(self) -> str:
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address, locality, self.country.name) if part)


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.name})"


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        return self.filter(status__in=PUBLIC_STATUSES)


class Event(models.Model):
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The event's address: /events/<slug>/. Do not change it once announced."),
    )
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    format = models.CharField(_("format"), max_length=20, choices=EventFormat.choices)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Brussels",
        validators=[validate_timezone],
        help_text=_("IANA time zone in which the event's times are shown."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    online_url = models.URLField(
        _("online meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to confirmed online attendees, never on public pages."),
    )
    capacity_in_person = models.PositiveIntegerField(
        _("in-person capacity"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    capacity_online = models.PositiveIntegerField(
        _("online capacity"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.OPEN
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences for lists.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: headings, lists, links, emphasis.")
    )
    ical_sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_(
            "SEQUENCE of the event in calendar files, raised when its time, place or format "
            "changes so that calendar applications replace what they hold."
        ),
    )
    # How long the event keeps personal data once it has ended (privacy.services.retention).
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the event ends before its registrations are anonymised: names, email "
            "addresses, answers and badge codes are removed, the statistics stay. Empty: the "
            "network's default."
        ),
    )
    special_category_days = models.PositiveIntegerField(
        _("keep needs and sensitive answers for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the event ends before accessibility and dietary needs and the answers "
            "to questions marked sensitive are erased. Empty: the network's default."
        ),
    )
    personal_data_anonymised_at = models.DateTimeField(
        _("personal data anonymised"), null=True, blank=True, editable=False
    )
    special_category_erased_at = models.DateTimeField(
        _("needs and sensitive answers erased"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="event_end_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="event_registration_closes_after_opens",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]
        indexes = [models.Index(fields=["status", "start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:event", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start and self.end and self.end <= self.start:
            errors.setdefault("end", []).append(_("The event must end after it starts."))
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes <= self.registration_opens
        ):
            errors.setdefault("registration_closes", []).append(
                _("Registration must close after it opens.")
            )
        if self.registration_closes and self.end and self.registration_closes > self.end:
            errors.setdefault("registration_closes", []).append(
                _("Registration cannot close after the event has ended.")
            )
        if self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not self.venue_id:
            errors.setdefault("venue", []).append(_("An in-person or hybrid event needs a venue."))
        if self.format == EventFormat.ONLINE and self.capacity_in_person:
            errors.setdefault("capacity_in_person", []).append(
                _("An online event has no in-person capacity.")
            )
        if self.format == EventFormat.IN_PERSON and self.capacity_online:
            errors.setdefault("capacity_online", []).append(
                _("An in-person event has no online capacity.")
            )
        if (
            self.retention_days is not None
            and self.special_category_days is not None
            and self.special_category_days > self.retention_days
        ):
            errors.setdefault("special_category_days", []).append(
                _("Needs and sensitive answers cannot be kept longer than the rest of the data.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def has_in_person(self) -> bool:
        return self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID)

    @property
    def has_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.tzinfo)

    def registration_window(self, now: datetime | None = None) -> RegistrationWindow:
        now = now or timezone.now()
        if self.status != EventStatus.PUBLISHED or self.registration_opens is None:
            return RegistrationWindow.NOT_OFFERED
        if now < self.registration_opens:
            return RegistrationWindow.NOT_YET_OPEN
        closes = self.registration_closes or self.start
        if now >= closes or now >= self.end:
            return RegistrationWindow.CLOSED
        return RegistrationWindow.OPEN


class Track(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="tracks"
    )
    name = models.CharField(_("name"), max_length=100)
    colour = models.CharField(
        _("colour"), max_length=7, default="#1f4e79", help_text=_("Hex colour, e.g. #1f4e79.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="track_unique_name_per_event"),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    bio = models.TextField(_("biography"), blank=True, help_text=_("Markdown."))
    photo = models.ImageField(
        _("photo"),
        upload_to="speakers/",
        blank=True,
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            MaxFileSizeValidator("PHOTO_MAX_BYTES"),
        ],
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_profiles",
        help_text=_("Links the speaker to the person's registrations and history."),
    )

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agenda:speaker", kwargs={"slug": self.slug})


class Session(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=250)
    abstract = models.TextField(_("abstract"), blank=True, help_text=_("Markdown."))
    kind = models.CharField(
        _("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.PLENARY
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means the event's capacity.")
    )
    requires_signup = models.BooleanField(
        _("needs its own sign-up"),
        default=False,
        help_text=_("Attendees pick this session when they register."),
    )
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", verbose_name=_("speakers")
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "track__position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="session_end_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["event", "start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:session", kwargs={"slug": self.event.slug, "pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start and self.end and self.end <= self.start:
            errors.setdefault("end", []).append(_("The session must end after it starts."))
        # A session typed together with a new event (an admin inline) has the unsaved event
        # but no event_id yet; it must be checked against that event all the same.
        has_event = self.event_id is not None or self._meta.get_field("event").is_cached(self)
        event = self.event if has_event else None
        timed = event and self.start and self.end
        if timed and (self.start < event.start or self.end > event.end):
            errors.setdefault("start", []).append(
                _("The session must take place within its event (%(start)s – %(end)s).")
                % {
                    "start": event.local(event.start).strftime("%Y-%m-%d %H:%M"),
                    "end": event.local(event.end).strftime("%Y-%m-%d %H:%M"),
                }
            )
        if event and self.track_id and self.track.event_id != event.pk:
            errors.setdefault("track", []).append(_("This track belongs to another event."))
        if event and self.room_id:
            if event.venue_id is None:
                errors.setdefault("room", []).append(
                    _("The event has no venue, so its sessions cannot have a room.")
                )
            elif self.room.venue_id != event.venue_id:
                errors.setdefault("room", []).append(_("This room is not at the event's venue."))
        if self.room_id and self.start and self.end and "room" not in errors:
            clash = (
                Session.objects.filter(room_id=self.room_id, start__lt=self.end, end__gt=self.start)
                .exclude(pk=self.pk)
                .select_related("event")
                .first()
            )
            if clash is not None:
                errors.setdefault("room", []).append(
                    _("%(room)s is already booked at this time for “%(session)s”.")
                    % {"room": self.room.name, "session": clash.title}
                )
        if errors:
            raise ValidationError(errors)


class SessionSpeaker(models.Model):
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="appearances"
    )
    speaker = models.ForeignKey(
        Speaker, verbose_name=_("speaker"), on_delete=models.CASCADE, related_name="appearances"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("speaker of a session")
        verbose_name_plural = _("speakers of sessions")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="session_speaker_unique",
                violation_error_message=_("This speaker is already on this session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} – {self.get_role_display()}"


class Document(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="documents/%Y/",
        validators=[validate_document_file, MaxFileSizeValidator("DOCUMENT_MAX_BYTES")],
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


class Photo(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("image"),
        upload_to="gallery/%Y/",
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            MaxFileSizeValidator("PHOTO_MAX_BYTES"),
        ],
    )
    alt_text = models.CharField(
        _("text alternative"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.alt_text


class ApiToken(models.Model):
    """A key with which an organiser's script uses the API, at some events only.

    It acts for its user, with that user's permissions, and reaches only its events (every
    event, those to come too, with ``all_events``). Its key is shown once, when it is made;
    only its SHA-256 is kept, so a copy of the database lets nobody use it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The organiser the token acts for, with their permissions."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses the token, e.g. the script's name.")
    )
    events = models.ManyToManyField(
        Event,
        verbose_name=_("events"),
        related_name="api_tokens",
        blank=True,
        help_text=_("The events whose registrations, check-ins and reports the token reaches."),
    )
    all_events = models.BooleanField(
        _("all events"),
        default=False,
        help_text=_(
            "Reaches every event, those to come too. Prefer a token limited to the events "
            "its script needs."
        ),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Empty: the token works until it is revoked."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def is_active(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired (at ``now``, by default the present)."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > (now or timezone.now())

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

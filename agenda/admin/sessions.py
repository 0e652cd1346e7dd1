"""Sessions with their speakers, and speakers with their appearances."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from members.admin import OrganisationTypeFilter

from ..models import Event, Session, SessionSpeaker, Speaker, Track
from .common import EventZoneMixin, local_time, warn_speaker_conflicts, zone_named


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    fields = ["speaker", "role", "position"]
    autocomplete_fields = ["speaker"]


class EventTrackFilter(admin.RelatedOnlyFieldListFilter):
    """Tracks that have sessions, named with their event: many events have a "Track A"."""

    def field_choices(self, field, request, model_admin):
        tracks = Track.objects.filter(sessions__isnull=False).select_related("event").distinct()
        return [(track.pk, f"{track.name} ({track.event.title})") for track in tracks]


@admin.register(Session)
class SessionAdmin(EventZoneMixin, admin.ModelAdmin):
    list_display = ["title", "event", "local_start", "kind", "track", "room", "speaker_names"]
    list_select_related = ["event", "track", "room__venue"]
    list_filter = ["event", "kind", ("track", EventTrackFilter)]
    search_fields = ["title", "event__title", "appearances__speaker__name"]
    autocomplete_fields = ["event", "room"]
    inlines = [SessionSpeakerInline]
    fields = [
        "event",
        "title",
        "abstract",
        "kind",
        "track",
        "room",
        "start",
        "end",
        "capacity",
        "requires_signup",
    ]

    def get_queryset(self, request):
        appearances = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("appearances", queryset=appearances))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "track":
            object_id = request.resolver_match.kwargs.get("object_id")
            if object_id:
                kwargs["queryset"] = Track.objects.filter(event__sessions__pk=unquote(object_id))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("start (local time)"), ordering="start")
    def local_start(self, session: Session) -> str:
        return local_time(session.event, session.start)

    @admin.display(description=_("speakers"))
    def speaker_names(self, session: Session) -> str:
        return ", ".join(appearance.speaker.name for appearance in session.appearances.all())

    def event_zone(self, request, object_id):
        event_id = request.POST.get("event") or request.GET.get("event")
        events = Event.objects.all()
        if object_id is not None and not event_id:
            events = events.filter(sessions__pk=unquote(object_id))
        elif event_id and str(event_id).isdigit():
            events = events.filter(pk=event_id)
        else:
            return None
        return zone_named(events.values_list("timezone", flat=True).first())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_speaker_conflicts(request, [form.instance])


class SpeakerAppearanceInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 0
    fields = ["session", "role", "position"]
    autocomplete_fields = ["session"]
    verbose_name = _("appearance")
    verbose_name_plural = _("appearances")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "organisation_type", "job_title", "person"]
    list_select_related = ["organisation", "person"]
    list_filter = [OrganisationTypeFilter]
    search_fields = ["name", "job_title", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "person"]
    inlines = [SpeakerAppearanceInline]
    fields = ["name", "slug", "organisation", "job_title", "bio", "photo", "person"]

    @admin.display(description=_("organisation type"), ordering="organisation__type")
    def organisation_type(self, speaker: Speaker) -> str:
        return speaker.organisation.get_type_display() if speaker.organisation else ""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sessions = Session.objects.filter(appearances__speaker=form.instance).order_by("start")
        warn_speaker_conflicts(request, sessions, speaker=form.instance)

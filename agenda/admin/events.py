"""Events with their tracks, sessions, documents and photos; "duplicate this event"."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from eventsite.exceptions import ApplicationError

from ..forms import DuplicateEventForm, SessionInlineFormSet
from ..models import Document, Event, Photo, Session, SessionSpeaker, Track
from ..services import duplicate_event
from .common import EventZoneMixin, local_time, render_in_zone, warn_speaker_conflicts, zone_named


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    fields = ["name", "colour", "position"]


class SessionInline(admin.TabularInline):
    model = Session
    formset = SessionInlineFormSet
    extra = 0
    fields = [
        "title",
        "kind",
        "start",
        "end",
        "track",
        "room",
        "capacity",
        "requires_signup",
        "speaker_list",
    ]
    readonly_fields = ["speaker_list"]
    autocomplete_fields = ["room"]
    show_change_link = True
    ordering = ["start", "title"]

    def get_queryset(self, request):
        appearances = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
        return (
            super()
            .get_queryset(request)
            .select_related("room__venue", "track")
            .prefetch_related(Prefetch("appearances", queryset=appearances))
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only the event's own tracks can be chosen; a new event has none saved yet.
        track_field = formset.form.base_fields["track"]
        track_field.queryset = Track.objects.filter(event=obj) if obj else Track.objects.none()
        return formset

    @admin.display(description=_("speakers"))
    def speaker_list(self, session: Session) -> str:
        if session.pk is None:
            return "—"
        names = ", ".join(
            f"{appearance.speaker.name} ({appearance.get_role_display()})"
            for appearance in session.appearances.all()
        )
        return names or _("none yet: open the session to add speakers")


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "file", "description", "position"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["image", "alt_text", "caption", "credit", "position"]


@admin.register(Event)
class EventAdmin(EventZoneMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "local_start",
        "kind",
        "format",
        "status",
        "venue",
        "session_count",
    ]
    list_select_related = ["venue"]
    list_filter = ["status", "kind", "format", "audience", "start"]
    date_hierarchy = "start"
    search_fields = ["title", "slug", "theme", "venue__name", "venue__city"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["venue"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "special_category_erased_at",
        "personal_data_anonymised_at",
    ]
    actions = ["duplicate_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [TrackInline, SessionInline, DocumentInline, PhotoInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "theme", "kind", "format", "status", "audience"]}),
        (
            _("When"),
            {
                "fields": ["timezone", "start", "end"],
                "description": _(
                    "Start, end and the sessions' times are in the event's time zone."
                ),
            },
        ),
        (_("Where"), {"fields": ["venue", "online_url"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "capacity_in_person",
                    "capacity_online",
                    "registration_opens",
                    "registration_closes",
                ]
            },
        ),
        (_("Presentation"), {"fields": ["summary", "description"]}),
        (
            _("Personal data"),
            {
                "fields": [
                    "special_category_days",
                    "special_category_erased_at",
                    "retention_days",
                    "personal_data_anonymised_at",
                ],
                "classes": ["collapse"],
                "description": _(
                    "How long after the event its registrants' data is kept. A scheduled task "
                    "erases needs and sensitive answers, then anonymises the registrations; "
                    "the figures and reports stay."
                ),
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # A subquery rather than a join: the changelist's COUNT queries can then leave it out.
        sessions = (
            Session.objects.filter(event=OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(session_count=Coalesce(Subquery(sessions), 0))

    @admin.display(description=_("start (local time)"), ordering="start")
    def local_start(self, event: Event) -> str:
        return local_time(event, event.start)

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, event: Event) -> int:
        return event.session_count

    def event_zone(self, request, object_id):
        if request.method == "POST":
            # The times typed are local to the zone chosen in the same form.
            zone = zone_named(request.POST.get("timezone"))
            if zone is not None:
                return zone
        if object_id is not None:
            name = Event.objects.filter(pk=unquote(object_id)).values_list("timezone", flat=True)
            return zone_named(name.first())
        return zone_named(Event._meta.get_field("timezone").default)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is Session:
                changed = [session for session, _fields in formset.changed_objects]
                warn_speaker_conflicts(request, [*formset.new_objects, *changed])

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="{}_{}_duplicate".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Duplicate the selected event"), permissions=["add"])
    def duplicate_selected(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(
                request, _("Select exactly one event to duplicate."), messages.WARNING
            )
            return None
        return redirect("admin:agenda_event_duplicate", pks[0])

    def duplicate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A small form for the next edition of an event; the copy is made by the service."""
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_add_permission(request) and self.has_view_permission(request, event)):
            raise PermissionDenied
        return render_in_zone(event.tzinfo, self._duplicate, request, event)

    def _duplicate(self, request: HttpRequest, event: Event) -> HttpResponse:
        if request.method == "POST":
            form = DuplicateEventForm(request.POST, event=event)
            if form.is_valid():
                try:
                    copy = duplicate_event(event=event, actor=request.user, **form.cleaned_data)
                except ApplicationError as error:
                    field = error.field if error.field in form.fields else None
                    form.add_error(field, str(error.message))
                else:
                    self.message_user(
                        request,
                        _(
                            "“%(title)s” was created as a draft from “%(original)s”. Check it, "
                            "then add its documents, online link and registration dates."
                        )
                        % {"title": copy.title, "original": event.title},
                        messages.SUCCESS,
                    )
                    return redirect("admin:agenda_event_change", copy.pk)
        else:
            local_start = event.local(event.start)
            try:
                next_year = local_start.replace(year=local_start.year + 1)
            except ValueError:  # 29 February
                next_year = local_start.replace(year=local_start.year + 1, day=28)
            form = DuplicateEventForm(
                initial={"title": event.title, "start": next_year}, event=event
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Duplicate “%(title)s”") % {"title": event.title},
            "subtitle": None,
            "opts": self.opts,
            "original": event,
            "form": form,
            "sessions_count": event.sessions.count(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/agenda/event/duplicate.html", context)

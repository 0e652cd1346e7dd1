"""Venues and their rooms."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Room, Venue


class RoomInline(admin.TabularInline):
    model = Room
    extra = 1
    fields = ["name", "capacity"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "room_count"]
    list_filter = ["country", "city"]
    search_fields = ["name", "city", "address"]
    inlines = [RoomInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(room_count=Count("rooms"))

    @admin.display(description=_("rooms"), ordering="room_count")
    def room_count(self, venue: Venue) -> int:
        return venue.room_count


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "capacity"]
    list_select_related = ["venue"]
    list_filter = ["venue"]
    search_fields = ["name", "venue__name", "venue__city"]
    autocomplete_fields = ["venue"]

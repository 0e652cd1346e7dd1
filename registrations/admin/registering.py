"""What registering asks: the questions, the privacy notice and whether approval is needed."""

from django.contrib import admin

from ..models import (
    PrivacyNotice,
    Question,
    RegistrationSettings,
)
from .forms import QuestionForm


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["label", "event", "kind", "required", "sensitive", "position"]
    list_editable = ["position"]
    list_select_related = ["event"]
    list_filter = ["event", "kind", "required", "sensitive"]
    search_fields = ["label", "event__title"]
    autocomplete_fields = ["event"]
    ordering = ["event", "position", "pk"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "version", "published_at"]
    list_select_related = ["event"]
    list_filter = ["event"]
    search_fields = ["version", "text", "event__title"]
    autocomplete_fields = ["event"]


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "requires_approval"]
    list_editable = ["requires_approval"]
    list_select_related = ["event"]
    list_filter = ["requires_approval"]
    search_fields = ["event__title"]
    autocomplete_fields = ["event"]

"""The organisers' admin for webhooks and their delivery log.

The delivery log is a record: nobody adds, edits or deletes entries here; "retry now" sends one
again. The signing secret is shown on the webhook's page to those who may manage webhooks, the
people who paste it into the receiving system.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .enums import WebhookEventType
from .models import Webhook, WebhookDelivery


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class WebhookForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("What to send"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ["name", "target_url", "active", "all_events", "events", "event_types"]
        formfield_callback = _formfield

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_events") and not cleaned.get("events"):
            self.add_error(
                "events", _("Choose the events this webhook covers, or tick “all events”.")
            )
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "target_url", "active", "all_events", "created_at"]
    list_filter = ["active", "all_events"]
    search_fields = ["name", "target_url"]
    filter_horizontal = ["events"]
    readonly_fields = ["secret", "secret_rotated_at", "disabled_reason", "created_by", "created_at"]
    actions = ["send_test_ping", "rotate_secret"]
    fieldsets = [
        (None, {"fields": ["name", "target_url", "active", "disabled_reason"]}),
        (_("What it receives"), {"fields": ["all_events", "events", "event_types"]}),
        (
            _("Signing"),
            {
                "fields": ["secret", "secret_rotated_at"],
                "description": _(
                    "Give this secret to the receiving system: it checks each payload's "
                    "signature with it (see docs/webhooks.md)."
                ),
            },
        ),
        (None, {"fields": ["created_by", "created_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if obj.active:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a test ping"), permissions=["change"])
    def send_test_ping(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        count = 0
        for webhook in queryset:
            services.send_ping(webhook=webhook)
            count += 1
        messages.success(
            request,
            ngettext(
                "A test ping is on its way; see the delivery log.",
                "%(count)d test pings are on their way; see the delivery log.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Rotate the signing secret"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        count = 0
        for webhook in queryset:
            services.rotate_secret(webhook=webhook)
            count += 1
        messages.warning(
            request,
            ngettext(
                "The secret was replaced; the receiving system needs the new one now.",
                "%(count)d secrets were replaced; the receiving systems need the new ones now.",
                count,
            )
            % {"count": count},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "pk", "event_type", "webhook", "status", "attempts", "last_response_code",
        "next_attempt_at", "created_at", "delivered_at",
    ]  # fmt: skip
    list_display_links = ["pk", "event_type"]
    list_filter = ["status", "event_type", "webhook"]
    list_select_related = ["webhook"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = [
        "webhook", "event_type", "status", "attempts", "next_attempt_at", "last_response_code",
        "last_error", "created_at", "delivered_at", "payload",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = services.retry_now(deliveries=list(queryset))
        messages.success(
            request,
            ngettext(
                "%(count)d delivery will be sent again now.",
                "%(count)d deliveries will be sent again now.",
                count,
            )
            % {"count": count},
        )

"""The outbox: every email written, its state, and a second chance for those that failed."""

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..emails import dispatch
from ..enums import EmailStatus
from ..models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = [
        "registration",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    # The body is left out: it carries the registrant's personal link, which is theirs alone.
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Retry the selected failed emails"), permissions=["change"])
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=EmailStatus.FAILED).values_list("pk", flat=True))
        with transaction.atomic():
            OutboxEmail.objects.filter(pk__in=failed).update(
                status=EmailStatus.PENDING, next_attempt_at=None
            )
            for email_id in failed:
                transaction.on_commit(partial(dispatch, email_id))
        text = ngettext(
            "%(count)d email queued again.", "%(count)d emails queued again.", len(failed)
        ) % {"count": len(failed)}
        skipped = queryset.count() - len(failed)
        if skipped:
            text += " " + ngettext(
                "%(count)d had not failed and was left as it is.",
                "%(count)d had not failed and were left as they are.",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS)

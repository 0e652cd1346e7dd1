"""The organisers' admin for badges, scanner devices, check-ins and the scan log.

Changes go through the services (re-issue, revoke, undo), one row at a time, so that the rules
and locks are the same as at the door. Check-ins and scans are a record: nobody adds, edits or
deletes them here; a check-in is undone, which keeps it.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError

from . import services
from .models import Badge, CheckIn, Device, ScanLog

# Where a new device's token waits, server-side, for the one page that shows it.
NEW_DEVICE_SESSION_KEY = "badges_new_device"


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("Valid")), ("yes", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


class UndoneFilter(admin.SimpleListFilter):
    title = _("undone")
    parameter_name = "undone"

    def lookups(self, request, model_admin):
        return [("no", _("Standing")), ("yes", _("Undone"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(undone_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(undone_at__isnull=True)
        return queryset


def _report(request: HttpRequest, done: int, failed: list[str], success: str) -> None:
    if done:
        messages.success(request, success % {"count": done})
    for message in failed:
        messages.error(request, message)


# --- badges --------------------------------------------------------------------------------------


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["person_name", "event", "role", "issued_at", "revoked_at", "revoke_reason"]
    list_display_links = ["person_name"]
    list_select_related = ["registration__person", "event"]
    list_filter = [RevokedFilter, "role", "event"]
    search_fields = [
        "registration__person__first_name",
        "registration__person__last_name",
        "registration__person__email",
    ]
    fields = ["registration", "event", "role", "issued_at", "revoked_at", "revoke_reason"]
    readonly_fields = ["registration", "event", "issued_at", "revoked_at", "revoke_reason"]
    actions = ["reissue"]
    date_hierarchy = "issued_at"

    @admin.display(description=_("name"), ordering="registration__person__last_name")
    def person_name(self, badge: Badge) -> str:
        return badge.registration.person.full_name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # badges are issued for confirmed registrations, when first needed

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(
        description=_("Re-issue (lost badge: the old code stops working)"), permissions=["change"]
    )
    def reissue(self, request: HttpRequest, queryset: QuerySet[Badge]) -> None:
        done, failed = 0, []
        for badge in queryset.filter(revoked_at__isnull=True).select_related(
            "registration__person"
        ):
            try:
                services.reissue_badge(registration=badge.registration, actor=request.user)
            except ApplicationError as error:
                failed.append(f"{badge.registration.person.full_name}: {error.message}")
            else:
                done += 1
        _report(
            request,
            done,
            failed,
            ngettext("%(count)d badge re-issued.", "%(count)d badges re-issued.", done or 1),
        )


# --- devices -------------------------------------------------------------------------------------


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "event_list", "token_hint", "last_seen_at", "revoked_at"]
    list_filter = [RevokedFilter, "events"]
    search_fields = ["name"]
    filter_horizontal = ["events"]
    fields = [
        "name",
        "events",
        "shows_accessibility_needs",
        "token_hint",
        "created_at",
        "created_by",
        "last_seen_at",
        "revoked_at",
    ]
    readonly_fields = ["token_hint", "created_at", "created_by", "last_seen_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        return super().get_queryset(request).prefetch_related("events")

    @admin.display(description=_("events"))
    def event_list(self, device: Device) -> str:
        return ", ".join(event.slug for event in device.events.all())

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the device's check-ins stay attributed to it

    def save_model(self, request: HttpRequest, obj: Device, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        token = services.set_device_token(device=obj)
        # Kept in the server-side session only until the next page shows it, once.
        request.session[NEW_DEVICE_SESSION_KEY] = {"device": obj.pk, "token": token}

    def response_add(self, request: HttpRequest, obj: Device, post_url_continue=None):
        url = reverse("admin:badges_device_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        pending = request.session.get(NEW_DEVICE_SESSION_KEY)
        if pending and str(pending.get("device")) == str(object_id):
            del request.session[NEW_DEVICE_SESSION_KEY]
            # Added while this page renders, so it is shown now and never stored in a cookie.
            messages.warning(
                request,
                _(
                    "The device's token is %(token)s — enter it on the device now. It is shown "
                    "only this once; if it is lost, revoke the device and add a new one."
                )
                % {"token": pending["token"]},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Revoke (the device can no longer scan)"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        done, failed = 0, []
        for device in queryset:
            try:
                services.revoke_device(device=device, actor=request.user)
            except ApplicationError as error:
                failed.append(f"{device}: {error.message}")
            else:
                done += 1
        _report(
            request,
            done,
            failed,
            ngettext("%(count)d device revoked.", "%(count)d devices revoked.", done or 1),
        )


# --- check-ins and scans -------------------------------------------------------------------------


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = [
        "person_name",
        "event",
        "session",
        "at",
        "by",
        "offline",
        "undone_at",
    ]
    list_display_links = ["person_name"]
    list_select_related = ["registration__person", "event", "session", "device", "user"]
    list_filter = [UndoneFilter, "offline", "event", "device"]
    search_fields = [
        "registration__person__first_name",
        "registration__person__last_name",
        "registration__person__email",
    ]
    date_hierarchy = "at"
    actions = ["undo"]

    @admin.display(description=_("name"), ordering="registration__person__last_name")
    def person_name(self, checkin: CheckIn) -> str:
        return checkin.registration.person.full_name

    @admin.display(description=_("by"))
    def by(self, checkin: CheckIn) -> str:
        return checkin.by_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The list and each row stay readable; changing a row means undoing it (the action).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Undo check-in"), permissions=["change"])
    def undo(self, request: HttpRequest, queryset: QuerySet[CheckIn]) -> None:
        done, failed = 0, []
        for checkin in queryset.select_related("registration__person"):
            try:
                services.undo_checkin(checkin=checkin, actor=request.user)
            except ApplicationError as error:
                failed.append(f"{checkin.registration.person.full_name}: {error.message}")
            else:
                done += 1
        _report(
            request,
            done,
            failed,
            ngettext("%(count)d check-in undone.", "%(count)d check-ins undone.", done or 1),
        )


@admin.register(ScanLog)
class ScanLogAdmin(admin.ModelAdmin):
    """Every scan and its answer; filter "conflict" for offline scans that clashed."""

    list_display = [
        "at",
        "event",
        "result",
        "conflict",
        "person_name",
        "session",
        "by",
        "offline",
        "scanned_at",
        "code_hash",
    ]
    list_select_related = ["event", "registration__person", "session", "device", "user"]
    list_filter = ["result", "conflict", "offline", "event", "device"]
    search_fields = [
        "registration__person__first_name",
        "registration__person__last_name",
        "code_hash",
    ]
    date_hierarchy = "at"

    @admin.display(description=_("name"))
    def person_name(self, log: ScanLog) -> str:
        return log.registration.person.full_name if log.registration_id else "—"

    @admin.display(description=_("by"))
    def by(self, log: ScanLog) -> str:
        if log.device_id:
            return str(log.device)
        return log.user.get_username() if log.user_id else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

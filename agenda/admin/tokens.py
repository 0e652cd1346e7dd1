"""Organisers' API tokens: made here, shown once, revoked here.

A user sees and makes only their own tokens; a superuser sees everyone's and may make one for
any active staff user. A token may reach any event, or every event ("all events", shown in bold
in the list): it acts with its user's permissions, and a user who may sign in to the admin
reaches every event there already, so the token's events narrow what a script can do and never
widen it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError

from ..exceptions import ApiTokenRefused
from ..models import ApiToken
from ..services import check_api_token, revoke_api_token, set_api_token_key

# Where a new token's key waits, server-side, for the one page that shows it.
SHOWN_ONCE_SESSION_KEY = "agenda_new_api_token"


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "events", "all_events", "expires_at"]

    def clean(self):
        cleaned = super().clean()
        if self.errors or "events" not in self.fields:  # a revoked token's form has no fields
            return cleaned
        # An expired token may still be renamed: its expiry is checked only when it is set.
        expiry_set = self.instance.pk is None or "expires_at" in self.changed_data
        try:
            check_api_token(
                events=cleaned.get("events") or [],
                all_events=cleaned.get("all_events", False),
                expires_at=cleaned.get("expires_at") if expiry_set else None,
            )
        except ApiTokenRefused as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("valid", _("Valid")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "valid":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "event_list",
        "token_hint",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    list_filter = [TokenStateFilter, "all_events"]
    search_fields = ["name"]
    filter_horizontal = ["events"]
    readonly_fields = ["token_hint", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        tokens = super().get_queryset(request).prefetch_related("events")
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user=request.user)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        fields = ["name", "user", "events", "all_events", "expires_at"]
        if obj is None and not request.user.is_superuser:
            fields.remove("user")  # one's own
        if obj is not None:
            fields += self.readonly_fields
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        if obj is None:
            return []
        if obj.revoked_at is not None:
            return ["name", "user", "events", "all_events", "expires_at", *self.readonly_fields]
        return ["user", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # A token for anyone else could do nothing: the organiser endpoints need staff.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("events"))
    def event_list(self, token: ApiToken) -> str:
        if token.all_events:
            return format_html("<strong>{}</strong>", _("All events"))
        return ", ".join(event.slug for event in token.events.all())

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the row records who could reach what, and until when

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        if not request.user.is_superuser:
            obj.user = request.user
        obj.created_by = request.user
        key = set_api_token_key(token=obj)
        # Kept in the server-side session only until the next page shows it, once.
        request.session[SHOWN_ONCE_SESSION_KEY] = {"token": obj.pk, "key": key}

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:agenda_apitoken_change", args=[obj.pk]))

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        pending = request.session.get(SHOWN_ONCE_SESSION_KEY)
        if pending and str(pending.get("token")) == str(object_id):
            del request.session[SHOWN_ONCE_SESSION_KEY]
            # Added while this page renders, so it is shown now and never stored in a cookie.
            messages.warning(
                request,
                _(
                    "The token is %(key)s — copy it into the script now, which sends it as "
                    "“Authorization: Token %(key)s”. It is shown only this once; if it is lost, "
                    "revoke the token and make a new one."
                )
                % {"key": pending["key"]},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Revoke (the token stops working at once)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done, failed = 0, []
        for token in queryset:
            try:
                revoke_api_token(token=token, actor=request.user)
            except ApplicationError as error:
                failed.append(f"{token}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", done)
                % {"count": done},
            )
        for message in failed:
            messages.error(request, message)

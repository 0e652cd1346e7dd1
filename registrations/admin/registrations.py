"""Registrations: the list, each one's history and emails, and the changes of state.

A registration's state changes only through the services (approve, decline, cancel, promote),
one registration at a time, so the capacity rules, audit entries and emails are the same as
everywhere else; a refusal for one registration is reported and the others go ahead.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError

from .. import exports, services
from ..emails import queue_email
from ..enums import EmailKind, PickStatus
from ..exports import may_export_special_category
from ..models import (
    AuditEntry,
    OutboxEmail,
    Registration,
)
from .filters import CountryFilter, OrganisationTypeFilter, SessionPickedFilter
from .forms import ExportForm, MessageForm, ReasonForm, export_response

ACTION_TEMPLATE = "admin/registrations/action_form.html"
SPECIAL_CATEGORY = _("Needs and sensitive answers")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AuditEntryInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "actor_label", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")


class OutboxEmailInline(ReadOnlyInline):
    model = OutboxEmail
    fields = ["created_at", "kind", "subject", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "person_name",
        "email",
        "organisation",
        "organisation_type",
        "country",
        "event",
        "status",
        "mode",
        "position",
        "created_at",
    ]
    list_display_links = ["person_name"]
    list_select_related = ["person__organisation", "event"]
    list_filter = [
        "status",
        "mode",
        "photo_consent",
        OrganisationTypeFilter,
        CountryFilter,
        SessionPickedFilter,
        "event",
    ]
    search_fields = [
        "person__first_name",
        "person__last_name",
        "person__email",
        "person__organisation__name",
    ]
    ordering = ["-created_at", "-pk"]
    actions = [
        "approve_selected",
        "decline_selected",
        "cancel_selected",
        "promote_selected",
        "email_selected",
        "export_selected",
    ]
    inlines = [AuditEntryInline, OutboxEmailInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "person",
                    "email",
                    "organisation",
                    "event",
                    "status",
                    "position",
                    "mode",
                    "language",
                    "invitation",
                ]
            },
        ),
        (_("Answers and sessions"), {"fields": ["answer_list", "pick_list"]}),
        (
            _("Consent"),
            {
                "fields": [
                    "photo_consent",
                    "participant_list_consent",
                    "privacy_notice",
                    "privacy_accepted_at",
                ]
            },
        ),
        (
            SPECIAL_CATEGORY,
            {
                "fields": ["accessibility_needs", "dietary_needs", "sensitive_answer_list"],
                "description": _(
                    "Can reveal health or religious belief: use it only to plan the venue and "
                    "the catering. Erased automatically soon after the event."
                ),
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at", "anonymised_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        # Special-category data only for organisers given the dedicated permission.
        if may_export_special_category(request.user):
            return self.fieldsets
        return [fieldset for fieldset in self.fieldsets if fieldset[0] is not SPECIAL_CATEGORY]

    def get_queryset(self, request):
        return exports.with_waitlist_position(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        # Changes of state go through the actions, which apply the seat and waitlist rules.
        return [
            field
            for fieldset in self.get_fieldsets(request, obj)
            for field in fieldset[1]["fields"]
        ]

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("name"), ordering="person__last_name")
    def person_name(self, registration: Registration) -> str:
        return registration.person.full_name

    @admin.display(description=_("email"), ordering="person__email")
    def email(self, registration: Registration) -> str:
        return registration.person.email

    @admin.display(description=_("organisation"), ordering="person__organisation__name")
    def organisation(self, registration: Registration) -> str:
        organisation = registration.person.organisation
        return organisation.name if organisation else ""

    @admin.display(description=_("type"), ordering="person__organisation__type")
    def organisation_type(self, registration: Registration) -> str:
        organisation = registration.person.organisation
        return organisation.get_type_display() if organisation else ""

    @admin.display(description=_("country"), ordering="person__organisation__country")
    def country(self, registration: Registration) -> str:
        organisation = registration.person.organisation
        return organisation.country.name if organisation else ""

    @admin.display(description=_("waitlist position"), ordering="waitlisted_at")
    def position(self, registration: Registration) -> int | None:
        return registration.position

    @staticmethod
    def _answers(registration: Registration, *, sensitive: bool) -> str:
        answers = (
            registration.answers.filter(question__sensitive=sensitive)
            .select_related("question")
            .order_by("question__position", "question_id")
        )
        rows = [(answer.question.label, exports.answer_text(answer.value)) for answer in answers]
        if not rows:
            return "—"
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description=_("answers"))
    def answer_list(self, registration: Registration) -> str:
        return self._answers(registration, sensitive=False)

    @admin.display(description=_("answers to sensitive questions"))
    def sensitive_answer_list(self, registration: Registration) -> str:
        return self._answers(registration, sensitive=True)

    @admin.display(description=_("sessions picked"))
    def pick_list(self, registration: Registration) -> str:
        picks = registration.session_picks.select_related("session").order_by("session__start")
        rows = [
            (
                pick.session.title,
                pick.get_status_display() if pick.status != PickStatus.CONFIRMED else "",
            )
            for pick in picks
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {}</li>", rows))

    # Changes of state

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Registration],
        service: Callable[..., Registration],
        done: Callable[[int], str],
        reason: str = "",
    ) -> None:
        succeeded, failures = 0, []
        for registration in queryset.select_related("person"):
            try:
                service(registration=registration, actor=request.user, reason=reason)
            except ApplicationError as error:
                failures.append(f"{registration.person.full_name}: {error.message}")
            else:
                succeeded += 1
        text = done(succeeded)
        if failures:
            text += "; " + ngettext(
                "%(count)d could not be: %(errors)s",
                "%(count)d could not be: %(errors)s",
                len(failures),
            ) % {"count": len(failures), "errors": "; ".join(failures)}
        self.message_user(request, text, messages.WARNING if failures else messages.SUCCESS)

    def _intermediate(
        self,
        request: HttpRequest,
        queryset: QuerySet[Registration],
        form: forms.Form,
        *,
        action: str,
        title: str,
        submit: str,
        intro: str = "",
    ) -> TemplateResponse:
        select_across = request.POST.get("select_across") == "1"
        pks = list(queryset.values_list("pk", flat=True))
        count = len(pks)
        names = [
            registration.person.full_name for registration in queryset.select_related("person")[:20]
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "subtitle": None,
            "intro": intro,
            "form": form,
            "action": action,
            "submit": submit,
            "count": count,
            "names": names,
            "more": count - len(names),
            "select_across": select_across,
            # Selecting across pages re-reads the filtered list; one id is enough to post.
            "selected": pks[:1] if select_across else pks,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    @admin.action(description=_("Approve the selected registrations"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._apply(
            request,
            queryset.order_by("created_at", "pk"),
            services.approve,
            lambda n: ngettext("%(count)d approved", "%(count)d approved", n) % {"count": n},
        )

    @admin.action(description=_("Promote the selected from the waitlist"), permissions=["change"])
    def promote_selected(self, request, queryset):
        self._apply(
            request,
            queryset.order_by("waitlisted_at", "pk"),
            services.promote,
            lambda n: ngettext("%(count)d promoted", "%(count)d promoted", n) % {"count": n},
        )

    def _with_reason(self, request, queryset, *, action, title, submit, service, done):
        if "confirm" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                self._apply(request, queryset, service, done, form.cleaned_data["reason"])
                return None
        else:
            form = ReasonForm()
        return self._intermediate(
            request, queryset, form, action=action, title=title, submit=submit
        )

    @admin.action(description=_("Decline the selected registrations…"), permissions=["change"])
    def decline_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset.order_by("created_at", "pk"),
            action="decline_selected",
            title=_("Decline registrations"),
            submit=_("Decline"),
            service=services.decline,
            done=lambda n: ngettext("%(count)d declined", "%(count)d declined", n) % {"count": n},
        )

    @admin.action(description=_("Cancel the selected registrations…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset.order_by("created_at", "pk"),
            action="cancel_selected",
            title=_("Cancel registrations"),
            submit=_("Cancel these registrations"),
            service=services.cancel,
            done=lambda n: ngettext("%(count)d cancelled", "%(count)d cancelled", n) % {"count": n},
        )

    @admin.action(description=_("Email the selected registrants…"), permissions=["change"])
    def email_selected(self, request, queryset):
        if "confirm" in request.POST:
            form = MessageForm(request.POST)
            if form.is_valid():
                count = 0
                for registration in queryset.select_related("person", "event"):
                    with transaction.atomic():
                        queue_email(
                            registration=registration,
                            kind=EmailKind.MESSAGE,
                            subject=form.cleaned_data["subject"],
                            context={"message": form.cleaned_data["message"]},
                        )
                    count += 1
                self.message_user(
                    request,
                    ngettext("%(count)d email queued.", "%(count)d emails queued.", count)
                    % {"count": count},
                    messages.SUCCESS,
                )
                return None
        else:
            form = MessageForm()
        return self._intermediate(
            request,
            queryset,
            form,
            action="email_selected",
            title=_("Email registrants"),
            submit=_("Send"),
            intro=_(
                "Each registrant receives the message in an email that also carries their "
                "status and their personal link. The emails are listed on each registration."
            ),
        )

    @admin.action(description=_("Export the selected registrations…"), permissions=["view"])
    def export_selected(self, request, queryset):
        if "confirm" in request.POST:
            form = ExportForm(request.POST, user=request.user)
            if form.is_valid():
                return export_response(queryset, form)
        else:
            form = ExportForm(user=request.user)
        return self._intermediate(
            request,
            queryset,
            form,
            action="export_selected",
            title=_("Export registrations"),
            submit=_("Download"),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The filtered list as it stands in the changelist, whose query string this page keeps."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)
        form = (
            ExportForm(request.POST, user=request.user)
            if request.method == "POST"
            else ExportForm(user=request.user)
        )
        if form.is_valid():
            return export_response(queryset, form)
        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Export registrations"),
            "subtitle": None,
            "form": form,
            "submit": _("Download"),
            "count": count,
            "names": [],
            "more": 0,
            "filtered": True,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

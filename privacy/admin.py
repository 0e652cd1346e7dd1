"""Privacy in the admin: erasing people, a person's data as a file, the record of erasures and the
requests people made.

The people admin that the lower apps built up (members, agenda, registrations) is extended here
with two actions, each behind its own permission: ``privacy.erase_person`` and
``privacy.export_person``. Neither is given to the ``organisers`` group: the network gives them to
whoever answers data protection requests.
"""

import json

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError
from members.models import Person
from registrations.enums import ACTIVE_STATUSES

from . import services
from .enums import ErasureSource
from .export import export_person
from .models import DataRequest, ErasureLog

ERASE_PERMISSION = "privacy.erase_person"
EXPORT_PERMISSION = "privacy.export_person"


class AnonymisedFilter(admin.SimpleListFilter):
    """Hides the stand-ins of anonymised registrations unless asked for."""

    title = _("anonymised")
    parameter_name = "anonymised"

    def lookups(self, request, model_admin):
        return [("yes", _("Only stand-ins of anonymised registrations")), ("all", _("All"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(anonymised_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(anonymised_at__isnull=True)


PersonAdminBase = type(admin.site.get_model_admin(Person))
admin.site.unregister(Person)


@admin.register(Person)
class PersonAdmin(PersonAdminBase):
    actions = [*(PersonAdminBase.actions or []), "erase_selected", "export_selected"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), AnonymisedFilter]

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perm(ERASE_PERMISSION)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(
        description=_("Erase the selected people from every event…"), permissions=["erase"]
    )
    def erase_selected(self, request, queryset):
        people = list(
            queryset.filter(anonymised_at__isnull=True)
            .annotate(
                registration_count=Count("registrations", distinct=True),
                upcoming_count=Count(
                    "registrations",
                    filter=Q(
                        registrations__status__in=ACTIVE_STATUSES,
                        registrations__event__end__gt=timezone.now(),
                    ),
                    distinct=True,
                ),
            )
            .order_by("last_name", "first_name", "pk")
        )
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/privacy/erase_people.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": _("Erase people"),
                    "subtitle": None,
                    "people": [(p, p.registration_count, p.upcoming_count) for p in people],
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased, refusals = 0, []
        for person in people:
            try:
                services.erase_person(
                    person=person, actor=request.user, source=ErasureSource.ORGANISER
                )
            except ApplicationError as error:
                refusals.append(f"{person.full_name}: {error.message}")
            else:
                erased += 1
        text = ngettext("%(count)d person erased.", "%(count)d people erased.", erased) % {
            "count": erased
        }
        if refusals:
            text += " " + ngettext(
                "%(count)d could not be: %(errors)s",
                "%(count)d could not be: %(errors)s",
                len(refusals),
            ) % {"count": len(refusals), "errors": "; ".join(refusals)}
        self.message_user(request, text, messages.WARNING if refusals else messages.SUCCESS)
        return None

    @admin.action(
        description=_("Download everything held about the selected person (JSON)"),
        permissions=["export"],
    )
    def export_selected(self, request, queryset):
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, _("Select exactly one person."), messages.WARNING)
            return None
        data = export_person(person=people[0])
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="person-{people[0].pk}-{stamp}.json"'
        )
        return response


def count_labels() -> dict[str, str]:
    """Names of the counts of ``services.anonymise.Counts``."""
    return {
        "registrations": _("registrations anonymised"),
        "people": _("person records deleted"),
        "answers": _("answers deleted"),
        "needs": _("registrations' needs erased"),
        "emails": _("emails emptied"),
        "badges": _("badge codes replaced"),
        "scans": _("scanner answers emptied"),
        "invitations": _("invitations emptied"),
        "feedback_texts": _("feedback comments emptied"),
        "files": _("files deleted"),
        "speakers": _("speaker profiles deleted"),
        "accounts": _("user accounts anonymised"),
        "events": _("events"),
    }


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "created_at", "confirmed_at", "completed_at"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "status",
        "email",
        "language",
        "created_at",
        "expires_at",
        "confirmed_at",
        "completed_at",
    ]


@admin.register(ErasureLog)
class ErasureLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "source", "actor", "event", "summary"]
    list_select_related = ["actor", "event"]
    list_filter = ["source"]
    date_hierarchy = "at"
    fields = ["at", "source", "actor", "event", "summary"]
    readonly_fields = fields

    @admin.display(description=_("what was removed"))
    def summary(self, log: ErasureLog) -> str:
        labels = count_labels()
        return (
            "; ".join(
                f"{labels.get(key, key)}: {value}" for key, value in sorted(log.counts.items())
            )
            or "—"
        )

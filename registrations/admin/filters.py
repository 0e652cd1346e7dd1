"""Filters of the organisers' lists."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from agenda.models import Session
from members.enums import OrganisationType
from members.models import Organisation


class OrganisationTypeFilter(admin.SimpleListFilter):
    title = _("organisation type")
    parameter_name = "organisation_type"

    def lookups(self, request, model_admin):
        return OrganisationType.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(person__organisation__type=self.value())
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            Organisation.objects.filter(people__registrations__isnull=False)
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(person__organisation__country=self.value())
        return queryset


class SessionPickedFilter(admin.SimpleListFilter):
    title = _("session picked")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = Session.objects.filter(requires_signup=True).select_related("event")
        event_id = request.GET.get("event__id__exact")
        if event_id and event_id.isdigit():
            sessions = sessions.filter(event_id=event_id)
        return [
            (str(session.pk), f"{session.title} ({session.event.title})")
            for session in sessions.order_by("event__start", "start", "pk")
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(session_picks__session_id=self.value())
        return queryset


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset

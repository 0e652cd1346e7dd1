"""People in the admin, with the events they registered for: added here because members and
agenda must not import registrations (apps depend one way)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agenda.admin.common import local_time
from agenda.admin.people import PersonWithHistoryAdmin
from members.models import Person

from ..models import Registration

admin.site.unregister(Person)


@admin.register(Person)
class PersonWithRegistrationsAdmin(PersonWithHistoryAdmin):
    fields = [*PersonWithHistoryAdmin.fields, "events_registered"]
    readonly_fields = [*PersonWithHistoryAdmin.readonly_fields, "events_registered"]

    @admin.display(description=_("events registered for"))
    def events_registered(self, person: Person) -> str:
        if person.pk is None:
            return "—"
        registrations = (
            Registration.objects.filter(person=person)
            .select_related("event")
            .order_by("-event__start")
        )
        if not registrations:
            return _("None yet.")
        rows = (
            (
                local_time(registration.event, registration.event.start),
                reverse("admin:registrations_registration_change", args=[registration.pk]),
                registration.event.title,
                registration.get_status_display(),
                registration.get_mode_display(),
            )
            for registration in registrations
        )
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li>{} · <a href="{}">{}</a>: {}, {}</li>', rows),
        )

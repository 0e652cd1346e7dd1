"""People in the admin, with the sessions they spoke at."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from members.admin import PersonAdmin
from members.models import Person

from ..models import SessionSpeaker
from .common import local_time

# Apps depend one way (members <- agenda) and members must not import agenda, so the speaking
# history of a person is added here: the members app's PersonAdmin is replaced by a subclass.
admin.site.unregister(Person)


@admin.register(Person)
class PersonWithHistoryAdmin(PersonAdmin):
    fields = [*PersonAdmin.fields, "sessions_spoken_at"]
    readonly_fields = [*PersonAdmin.readonly_fields, "sessions_spoken_at"]

    @admin.display(description=_("sessions spoken at"))
    def sessions_spoken_at(self, person: Person) -> str:
        if person.pk is None:
            return "—"
        appearances = (
            SessionSpeaker.objects.filter(speaker__person=person)
            .select_related("session__event")
            .order_by("-session__start")
        )
        if not appearances:
            return _("None yet.")
        rows = (
            (
                local_time(appearance.session.event, appearance.session.start),
                appearance.session.event.title,
                reverse("admin:agenda_session_change", args=[appearance.session_id]),
                appearance.session.title,
                appearance.get_role_display(),
            )
            for appearance in appearances
        )
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li>{} · {}: <a href="{}">{}</a> ({})</li>', rows),
        )

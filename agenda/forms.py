"""Forms of the organisers' admin."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Event


class DuplicateEventForm(forms.Form):
    """The next edition of an event. Render and validate it with the event's zone active."""

    title = forms.CharField(
        label=_("New title"), max_length=Event._meta.get_field("title").max_length
    )
    slug = forms.SlugField(
        label=_("New slug"),
        max_length=Event._meta.get_field("slug").max_length,
        help_text=_("The new event's address: /events/<slug>/."),
    )
    start = forms.DateTimeField(
        label=_("New start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["start"].help_text = _(
            "Local time in %(zone)s. Sessions keep their local times and move with the start."
        ) % {"zone": event.timezone}


class SessionInlineFormSet(BaseInlineFormSet):
    """Also refuses two sessions of the same form that book one room at the same time.

    ``Session.clean`` compares with sessions already saved; sessions typed together are only
    known here.
    """

    def clean(self) -> None:
        super().clean()
        booked: list[tuple[int, datetime, datetime, str]] = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            room = form.cleaned_data.get("room")
            start = form.cleaned_data.get("start")
            end = form.cleaned_data.get("end")
            if not (room and start and end):
                continue
            for room_id, other_start, other_end, other_title in booked:
                if room_id == room.pk and start < other_end and end > other_start:
                    form.add_error(
                        "room",
                        ValidationError(
                            _("%(room)s is already booked at this time for “%(session)s”.")
                            % {"room": room.name, "session": other_title},
                            code="room_double_booked",
                        ),
                    )
                    break
            booked.append((room.pk, start, end, form.cleaned_data.get("title", "")))

"""Forms of the public registration page and the attendee's own page.

They parse what was typed into a ``RegistrationRequest`` (or service arguments) and nothing more:
which answers are required, whether sessions overlap, who is eligible and whether seats are left
are the services' decisions, shown beside the field named in the service's error. Browsers still
get ``required`` attributes on those inputs, so people learn of a missing answer before sending.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from agenda.enums import Audience, EventFormat
from agenda.models import Event, Session
from members.enums import OrganisationType

from .enums import AttendanceMode, PickStatus, QuestionKind
from .models import Question
from .services import RegistrationRequest

YES, NO = "yes", "no"
SHORT_TEXT_LIMIT, LONG_TEXT_LIMIT = 200, 5000


@dataclass
class SessionChoice:
    """A session that needs its own sign-up, with what is left of it."""

    session: Session
    free: int | None  # None: no limit of its own

    @property
    def is_full(self) -> bool:
        return self.free is not None and self.free <= 0


@dataclass
class SessionSlot:
    start: datetime
    end: datetime
    choices: list[SessionChoice]


def signup_session_slots(event: Event) -> list[SessionSlot]:
    """The event's sign-up sessions with their free places, grouped by start time (one query)."""
    sessions = (
        Session.objects.filter(event=event, requires_signup=True)
        .select_related("room")
        .annotate(taken=Count("picks", filter=Q(picks__status=PickStatus.CONFIRMED)))
        .order_by("start", "end", "title")
    )
    slots: list[SessionSlot] = []
    for session in sessions:
        free = None if session.capacity is None else max(0, session.capacity - session.taken)
        if slots and slots[-1].start == session.start:
            slots[-1].choices.append(SessionChoice(session, free))
            slots[-1].end = max(slots[-1].end, session.end)
        else:
            slots.append(SessionSlot(session.start, session.end, [SessionChoice(session, free)]))
    return slots


def _text(label, *, required: bool = True, max_length: int = 200, autocomplete: str = "", **kw):
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
        **kw,
    )


class SessionPicksField(forms.TypedMultipleChoiceField):
    """Picked session ids. The template draws the checkboxes itself, grouped by time."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, slots: list[SessionSlot], **kwargs) -> None:
        choices = [(c.session.pk, c.session.title) for slot in slots for c in slot.choices]
        super().__init__(coerce=int, choices=choices, required=False, **kwargs)


class RegistrationForm(forms.Form):
    """The public registration form of one event; its fields depend on the event."""

    first_name = _text(_("First name"), max_length=100, autocomplete="given-name")
    last_name = _text(_("Last name"), max_length=100, autocomplete="family-name")
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send your confirmation and your personal link to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation_name = _text(
        _("Organisation"),
        autocomplete="organization",
        help_text=_("Start typing to pick a known organisation, or enter a new one."),
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", _("Choose a type")), *OrganisationType.choices],
    )
    organisation_country = forms.ChoiceField(
        label=_("Country of the organisation"),
        help_text=_("Where your organisation is based."),
    )
    job_title = _text(_("Job title"), required=False, autocomplete="organization-title")
    mode = forms.ChoiceField(
        label=_("How will you attend?"),
        choices=AttendanceMode.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"required": True}),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=2000,
        help_text=_(
            "For example step-free access, a sign language interpreter or a seat near the front."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        required=False,
        max_length=2000,
        help_text=_("For example vegetarian, halal or an allergy."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sessions = forms.TypedMultipleChoiceField(coerce=int, required=False)
    privacy_accepted = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my registration is processed as "
            "it describes."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
    photo_consent = forms.BooleanField(
        label=_("I agree to appear in photos taken at the event and published by the network."),
        required=False,
    )
    participant_list_consent = forms.BooleanField(
        label=_(
            "Show my name and organisation to the other confirmed attendees, in the event's "
            "participant list."
        ),
        required=False,
    )
    invitation_code = forms.CharField(
        label=_("Invitation code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    # A trap for robots: hidden from people and screen readers, so only a robot fills it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args,
        event: Event,
        questions: list[Question],
        slots: list[SessionSlot],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = questions
        self.slots = slots
        self.fields["organisation_country"].choices = [("", _("Choose a country")), *countries]
        self.fields["organisation_name"].widget.attrs["list"] = "organisation-names"
        if event.format != EventFormat.HYBRID:
            del self.fields["mode"]
        if not event.has_in_person:
            del self.fields["accessibility_needs"]
            del self.fields["dietary_needs"]
        if slots:
            self.fields["sessions"] = SessionPicksField(
                slots=slots, label=_("Sessions that need their own sign-up")
            )
        else:
            del self.fields["sessions"]
        if event.audience == Audience.OPEN:
            del self.fields["invitation_code"]
        elif event.audience == Audience.INVITATION:
            self.fields["invitation_code"].help_text = _(
                "This event is by invitation only. Enter the code from your invitation; "
                "if you followed an invitation link, it is filled in already."
            )
            self.fields["invitation_code"].widget.attrs["required"] = True
        else:
            self.fields["invitation_code"].help_text = _(
                "This event is for members of the network. If the organisers invited you, "
                "enter the code from your invitation; members can leave this empty."
            )
        for question in questions:
            self.fields[self.question_field_name(question)] = self._question_field(question)

    @staticmethod
    def question_field_name(question: Question) -> str:
        # The same name as the ``field`` of the services' errors about this question.
        return f"question_{question.pk}"

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common = {"label": question.label, "help_text": question.help_text, "required": False}
        # Browsers check required answers before sending; the service checks them again.
        required_attrs = {"required": True} if question.required else {}
        if question.kind == QuestionKind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(
                    attrs={"rows": 4, "maxlength": LONG_TEXT_LIMIT, **required_attrs}
                ),
                **common,
            )
        if question.kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect(attrs=required_attrs),
                **common,
            )
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if question.kind == QuestionKind.YES_NO:
            return forms.ChoiceField(
                choices=[(YES, _("Yes")), (NO, _("No"))],
                widget=forms.RadioSelect(attrs=required_attrs),
                **common,
            )
        return forms.CharField(
            widget=forms.TextInput(attrs={"maxlength": SHORT_TEXT_LIMIT, **required_attrs}),
            **common,
        )

    # --- what the template needs -----------------------------------------------------------

    @property
    def is_trapped(self) -> bool:
        """True when the honeypot was filled in: a robot, to be answered as if it succeeded."""
        return bool(self.data.get("website", "").strip())

    @property
    def required_names(self) -> set[str]:
        """Fields marked as required for people, whether the form or a service checks them."""
        names = {
            name
            for name, field in self.fields.items()
            if field.required or field.widget.attrs.get("required")
        }
        return names | {self.question_field_name(q) for q in self.questions if q.required}

    def question_items(self) -> list[tuple[Question, forms.BoundField]]:
        return [(q, self[self.question_field_name(q)]) for q in self.questions]

    def picked_session_ids(self) -> set[int]:
        if "sessions" not in self.fields:
            return set()
        if self.is_bound:
            values = self.data.getlist("sessions") if hasattr(self.data, "getlist") else []
        else:
            values = self.initial.get("sessions", [])
        picked = set()
        for value in values:
            try:
                picked.add(int(value))
            except (TypeError, ValueError):
                continue
        return picked

    def error_items(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of each field error, for the summary at the top."""
        items = []
        for name, errors in self.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS or name not in self.fields:
                continue
            bound = self[name]
            anchor = bound.id_for_label or f"field-{name}"
            if bound.use_fieldset or name == "sessions":
                anchor = f"field-{name}"
            items.extend((anchor, str(bound.label), str(message)) for message in errors)
        return items

    # --- the result ----------------------------------------------------------------------------

    def _answers(self) -> dict[int, Any]:
        answers: dict[int, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.question_field_name(question))
            if question.kind == QuestionKind.YES_NO:
                value = {YES: True, NO: False}.get(value)
            elif question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
                value = (value or "").strip()
            answers[question.pk] = value
        return answers

    def to_request(self, *, language: str) -> RegistrationRequest:
        data = self.cleaned_data
        return RegistrationRequest(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation_name=data["organisation_name"],
            organisation_type=data["organisation_type"],
            organisation_country=data["organisation_country"],
            job_title=data.get("job_title", ""),
            mode=data.get("mode", ""),
            answers=self._answers(),
            accessibility_needs=data.get("accessibility_needs", ""),
            dietary_needs=data.get("dietary_needs", ""),
            privacy_accepted=bool(data.get("privacy_accepted")),
            photo_consent=bool(data.get("photo_consent")),
            participant_list_consent=bool(data.get("participant_list_consent")),
            session_ids=list(data.get("sessions") or []),
            invitation_code=data.get("invitation_code", ""),
            language=language,
        )


class ConsentForm(forms.Form):
    """The attendee's consents, changeable on their own page at any time."""

    photo_consent = forms.BooleanField(
        label=_("I agree to appear in photos taken at the event and published by the network."),
        required=False,
    )
    participant_list_consent = forms.BooleanField(
        label=_(
            "Show my name and organisation to the other confirmed attendees, in the event's "
            "participant list."
        ),
        required=False,
    )

    @property
    def required_names(self) -> set[str]:
        return set()


class ChangeModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How will you attend?"),
        choices=AttendanceMode.choices,
        widget=forms.RadioSelect,
    )


class ChangeSessionsForm(forms.Form):
    def __init__(self, *args, slots: list[SessionSlot], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        self.fields["sessions"] = SessionPicksField(slots=slots, label=_("Change your sessions"))

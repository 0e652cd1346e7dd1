"""Forms of the feedback survey and of the organisers' attendance page.

They parse what was sent into service arguments; which answers are required and which sessions
may be rated are checked again by ``feedback.save_answers``, whose errors name the field.
"""

from dataclasses import dataclass

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from agenda.models import Event, Session

from .enums import SurveyQuestionKind
from .feedback import (
    LONG_TEXT_LIMIT,
    RATINGS,
    SHORT_TEXT_LIMIT,
    AnswerInput,
    answer_field_name,
    question_help,
    question_label,
)
from .models import SurveyAnswer, SurveyQuestion

RATING_ERRORS = {
    "required": _("Please choose a rating from 1 to 5."),
    "invalid_choice": _("Choose a rating from 1 to 5."),
}


def rating_choices() -> list[tuple[int, str]]:
    labels = {1: _("1 – poor"), 5: _("5 – excellent")}
    return [(n, labels.get(n, str(n))) for n in RATINGS]


class RatingField(forms.TypedChoiceField):
    """Five radio buttons, grouped by the template in a fieldset whose legend is the question."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            choices=rating_choices,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages=RATING_ERRORS,
            **kwargs,
        )


@dataclass
class Item:
    """One question as the template shows it: one field, or one field per session."""

    question: SurveyQuestion
    label: str
    help_text: str
    field: forms.BoundField | None = None
    sessions: list[tuple[Session, forms.BoundField]] | None = None

    @property
    def anchor(self) -> str:
        return f"question-{self.question.pk}"


def session_label(session: Session, event: Event) -> str:
    start, end = event.local(session.start), event.local(session.end)
    return "{} ({}, {}–{})".format(
        session.title,
        formats.date_format(start, "DATE_FORMAT"),
        formats.time_format(start, "H:i"),
        formats.time_format(end, "H:i"),
    )


class SurveyForm(forms.Form):
    """The questions of one survey, with the sessions this attendee may rate."""

    def __init__(
        self,
        *args,
        event: Event,
        questions: list[SurveyQuestion],
        sessions: list[Session],
        answers: list[SurveyAnswer],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.sessions = sessions
        self.field_keys: dict[str, tuple[SurveyQuestion, int | None]] = {}
        for answer in answers:
            value = answer.rating if answer.rating is not None else answer.text
            self.initial[answer_field_name(answer.question_id, answer.session_id)] = value
        for question in questions:
            if question.kind == SurveyQuestionKind.SESSION_RATINGS:
                for session in sessions:
                    self._add(
                        question,
                        session.pk,
                        RatingField(label=session_label(session, event), required=False),
                    )
            else:
                self._add(question, None, self._field(question))

    def _add(self, question: SurveyQuestion, session_id: int | None, field: forms.Field) -> None:
        name = answer_field_name(question.pk, session_id)
        self.fields[name] = field
        self.field_keys[name] = (question, session_id)

    @staticmethod
    def _field(question: SurveyQuestion) -> forms.Field:
        common = {
            "label": question_label(question),
            "help_text": question_help(question),
            "required": question.required,
        }
        if question.is_rating:
            return RatingField(**common)
        if question.kind == SurveyQuestionKind.SHORT_TEXT:
            return forms.CharField(
                max_length=SHORT_TEXT_LIMIT,
                widget=forms.TextInput(attrs={"maxlength": SHORT_TEXT_LIMIT}),
                **common,
            )
        return forms.CharField(
            max_length=LONG_TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT_LIMIT}),
            **common,
        )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.kind != SurveyQuestionKind.SESSION_RATINGS or not question.required:
                continue
            for session in self.sessions:
                name = answer_field_name(question.pk, session.pk)
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, RATING_ERRORS["required"])
        return cleaned

    # --- what the template needs -----------------------------------------------------------

    @property
    def required_names(self) -> set[str]:
        names = {name for name, field in self.fields.items() if field.required}
        for question in self.questions:
            if question.kind == SurveyQuestionKind.SESSION_RATINGS and question.required:
                names |= {answer_field_name(question.pk, s.pk) for s in self.sessions}
        return names

    def items(self) -> list[Item]:
        items = []
        for question in self.questions:
            label, help_text = question_label(question), question_help(question)
            if question.kind == SurveyQuestionKind.SESSION_RATINGS:
                if self.sessions:
                    bound = [(s, self[answer_field_name(question.pk, s.pk)]) for s in self.sessions]
                    items.append(Item(question, label, help_text, sessions=bound))
            else:
                items.append(
                    Item(question, label, help_text, field=self[answer_field_name(question.pk)])
                )
        return items

    def error_items(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of each field error, for the summary at the top."""
        items = []
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            question, session_id = self.field_keys[name]
            label = str(self.fields[name].label)
            if session_id is not None:
                label = f"{question_label(question)} – {label}"
            items.extend((f"field-{name}", label, str(message)) for message in errors)
        return items

    # --- the result ----------------------------------------------------------------------------

    def to_answers(self) -> list[AnswerInput]:
        answers = []
        for name, (question, session_id) in self.field_keys.items():
            value = self.cleaned_data.get(name)
            if isinstance(value, int):
                answers.append(AnswerInput(question.pk, session_id, rating=value))
            else:
                answers.append(AnswerInput(question.pk, session_id, text=(value or "").strip()))
        return answers


class AttendanceMarkForm(forms.Form):
    """One click on the attendance page: a registration marked attended, absent, or unmarked."""

    ATTENDED, ABSENT, CLEAR = "attended", "absent", "clear"

    registration = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[(ATTENDED, _("Attended")), (ABSENT, _("Absent")), (CLEAR, _("Remove mark"))]
    )

    def attended(self) -> bool | None:
        return {self.ATTENDED: True, self.ABSENT: False}.get(self.cleaned_data["action"])


class AttendanceFilterForm(forms.Form):
    ALL, ATTENDED, NOT_ATTENDED, MARKED = "", "attended", "not_attended", "marked"

    q = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (ALL, _("Everyone confirmed")),
            (ATTENDED, _("Attended")),
            (NOT_ATTENDED, _("Not attended")),
            (MARKED, _("Marked by hand")),
        ],
    )


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label=_("Certificate reference"),
        max_length=40,
        help_text=_("As printed at the bottom right of the certificate, e.g. 12-3456-K7QW2M4A."),
    )

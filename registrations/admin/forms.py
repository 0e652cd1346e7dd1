"""Forms of the organisers' intermediate pages and of the questions registrants answer."""

from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from .. import exports
from ..enums import QuestionKind
from ..models import Question, Registration


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Kept in each registration's history; not sent to the registrants."),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=5000
    )


class ExportForm(forms.Form):
    """What to export; special-category data only for those allowed to see it, when asked."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel workbook (XLSX)")), ("csv", _("CSV"))],
        widget=forms.RadioSelect,
        initial="xlsx",
    )
    include_needs = forms.BooleanField(
        label=_("Include accessibility and dietary needs and answers to sensitive questions"),
        required=False,
        help_text=_(
            "These can reveal health or religious belief. Include them only to plan the venue "
            "or catering, and share the file only with those who need it."
        ),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not exports.may_export_special_category(user):
            del self.fields["include_needs"]


def export_response(queryset: QuerySet[Registration], form: ExportForm) -> HttpResponse:
    include_needs = bool(form.cleaned_data.get("include_needs"))
    table = exports.registration_table(queryset, include_needs=include_needs)
    if form.cleaned_data["format"] == "csv":
        return exports.csv_response(table)
    return exports.xlsx_response(table)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "event",
            "label",
            "help_text",
            "kind",
            "choices",
            "required",
            "sensitive",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        kind, choices = cleaned.get("kind"), cleaned.get("choices")
        with_choices = kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
        if with_choices:
            valid = (
                isinstance(choices, list)
                and len(choices) >= 2
                and all(isinstance(c, str) and c.strip() for c in choices)
                and len(set(choices)) == len(choices)
            )
            if not valid:
                self.add_error(
                    "choices",
                    _('List at least two different options, e.g. ["Morning", "Afternoon"].'),
                )
        elif choices:
            self.add_error("choices", _("Only single and multiple choice questions have options."))
        return cleaned

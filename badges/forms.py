import string

from django import forms
from django.utils.translation import gettext_lazy as _

from members.enums import OrganisationType

from .enums import BadgeRole
from .printing import PrintFilters

LETTERS = [("", "–")] + [(letter, letter) for letter in string.ascii_uppercase]


class PrintRunForm(forms.Form):
    """Which badges a print run holds; every field left empty means "all"."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=BadgeRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every role."),
    )
    organisation_types = forms.MultipleChoiceField(
        label=_("Organisation types"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    name_from = forms.ChoiceField(label=_("Last names from"), choices=LETTERS, required=False)
    name_to = forms.ChoiceField(label=_("to"), choices=LETTERS, required=False)

    def clean(self):
        cleaned = super().clean()
        name_from, name_to = cleaned.get("name_from"), cleaned.get("name_to")
        if name_from and name_to and name_from > name_to:
            self.add_error("name_to", _("The range must end at or after the letter it starts at."))
        return cleaned

    def filters(self) -> PrintFilters:
        return PrintFilters.from_dict(self.cleaned_data)

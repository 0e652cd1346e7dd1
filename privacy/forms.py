"""The form of the privacy page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import RequestKind


class PublicFormMixin:
    """What the site's form templates ask of a form (``registrations/includes/field.html``)."""

    @property
    def required_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.required}

    def error_items(self) -> list[tuple[str, str, str]]:
        items = []
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            bound = self[name]
            anchor = f"field-{name}" if bound.use_fieldset else bound.id_for_label
            items.extend((anchor, str(bound.label), str(message)) for message in errors)
        return items


class DataRequestForm(PublicFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "The address you registered with. We send a link to it: your request goes ahead "
            "only once you follow that link."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # A trap for robots: hidden from people and screen readers, so only a robot fills it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_trapped(self) -> bool:
        return bool(self.data.get("website", "").strip())

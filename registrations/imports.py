"""Invitees from a CSV file: read, checked row by row, then one single-use invitation each.

The file has the columns email, first_name, last_name, organisation, organisation_type,
country and note (only email is required), in UTF-8 with or without a byte order mark, with
``;`` or ``,`` between fields. Organisers see every row with its errors before anything is
saved; the checked rows travel to the confirmation signed, so nothing is uploaded twice and
nothing can be slipped in between.
"""

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from agenda.models import Event
from eventsite.exceptions import ApplicationError
from members.enums import OrganisationType

from . import capacity
from .enums import ACTIVE_STATUSES
from .models import Invitation, Registration

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "organisation",
    "organisation_type",
    "country",
    "note",
)
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
SIGNING_SALT = "registrations.invitee-import"
# Long enough to read a preview of a few hundred rows; short enough that a stale one is redone.
SIGNED_MAX_AGE = 2 * 3600


class ImportFileError(ApplicationError):
    code = "import_file_invalid"


@dataclass
class InviteeRow:
    line: int
    email: str
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""
    organisation_type: str = ""
    country: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def invitation_note(self) -> str:
        parts = [self.full_name, self.organisation, self.note]
        return " · ".join(part for part in parts if part)[:200]


def _header_key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _sniff_delimiter(first_line: str) -> str:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,").delimiter
    except csv.Error:  # a single column has no delimiter to find
        return ","


def parse_invitee_csv(data: bytes) -> list[InviteeRow]:
    """The rows of the file, not yet checked. Raises ImportFileError for an unreadable file."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is too large: at most 1 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
            field="file",
        ) from error
    if not text.strip():
        raise ImportFileError(_("The file is empty."), field="file")
    delimiter = _sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_header_key(name) for name in next(reader)]
    except csv.Error as error:
        raise ImportFileError(_("The file is not valid CSV."), field="file") from error
    if "email" not in header:
        raise ImportFileError(
            _("The first line must name the columns, among them “email”. Expected: %(columns)s.")
            % {"columns": ", ".join(COLUMNS)},
            field="file",
        )
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS},
                    field="file",
                )
            cells = dict(zip(header, (value.strip() for value in values), strict=False))
            rows.append(
                InviteeRow(line=reader.line_num, **{key: cells.get(key, "") for key in COLUMNS})
            )
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s is not valid CSV.") % {"line": reader.line_num}, field="file"
        ) from error
    if not rows:
        raise ImportFileError(_("The file has no invitees below its first line."), field="file")
    return rows


def _organisation_type(value: str) -> str | None:
    wanted = value.strip().lower()
    for code, label in OrganisationType.choices:
        if wanted in (code, str(label).lower()):
            return code
    return None


def check_invitees(*, event: Event, rows: list[InviteeRow]) -> list[InviteeRow]:
    """Each row with its errors filled in and its values cleaned; nothing is saved."""
    emails = [row.email.strip().lower() for row in rows]
    now = timezone.now()
    invited = {
        email.lower()
        for email in Invitation.objects.filter(
            event=event, email__in=emails, revoked_at__isnull=True, uses__lt=F("max_uses")
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("email", flat=True)
    }
    registered = set(
        Registration.objects.filter(
            event=event, person__email__in=emails, status__in=ACTIVE_STATUSES
        ).values_list("person__email", flat=True)
    )
    first_line: dict[str, int] = {}
    for row in rows:
        row.errors = []
        row.email = row.email.strip().lower()
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(
                _("“%(email)s” is not an email address.") % {"email": row.email}
                if row.email
                else _("The email address is missing.")
            )
        if row.organisation_type:
            code = _organisation_type(row.organisation_type)
            if code is None:
                row.errors.append(
                    _("Unknown organisation type “%(type)s”.") % {"type": row.organisation_type}
                )
            else:
                row.organisation_type = code
        if row.country:
            code = countries.alpha2(row.country.strip())
            if not code:
                row.errors.append(
                    _("Unknown country code “%(country)s”: use two letters, e.g. BE.")
                    % {"country": row.country}
                )
            else:
                row.country = code
        if row.email in first_line:
            row.errors.append(_("Duplicate of line %(line)s.") % {"line": first_line[row.email]})
        elif row.email:
            first_line[row.email] = row.line
        if row.email in invited:
            row.errors.append(_("Already invited to this event."))
        if row.email in registered:
            row.errors.append(_("Already registered for this event."))
    return rows


@dataclass
class Preview:
    event: Event
    expires_at: datetime | None
    rows: list[InviteeRow]


def sign_preview(*, event: Event, expires_at: datetime | None, rows: list[InviteeRow]) -> str:
    payload = {
        "event": event.pk,
        "expires_at": expires_at.isoformat() if expires_at else None,
        "rows": [{k: v for k, v in asdict(row).items() if k != "errors"} for row in rows],
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign_preview(token: str) -> Preview:
    """The preview as it was shown. Raises ImportFileError if stale, altered or its event gone."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.BadSignature as error:
        raise ImportFileError(
            _("This preview has expired or was altered. Please upload the file again.")
        ) from error
    event = Event.objects.filter(pk=payload["event"]).first()
    if event is None:
        raise ImportFileError(_("The event of this preview no longer exists."))
    expires_at = payload["expires_at"]
    return Preview(
        event=event,
        expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
        rows=[InviteeRow(**row) for row in payload["rows"]],
    )


def import_invitees(
    *,
    event: Event,
    rows: list[InviteeRow],
    expires_at: datetime | None,
    actor,
) -> tuple[list[Invitation], list[InviteeRow]]:
    """Issues one single-use invitation bound to the email of each row that is still valid.

    The rows are checked again under the event's lock, so that two imports of the same file
    cannot invite anyone twice. Saves: the invitations. Queues: nothing (no email is sent).
    Locks: the event row. Returns the invitations and the rows refused.
    """
    with transaction.atomic():
        event = capacity.lock_event(event.pk)
        checked = check_invitees(event=event, rows=rows)
        valid = [row for row in checked if row.valid]
        user = actor if getattr(actor, "is_authenticated", False) else None
        invitations = Invitation.objects.bulk_create(
            Invitation(
                event=event,
                email=row.email,
                note=row.invitation_note(),
                max_uses=1,
                expires_at=expires_at,
                created_by=user,
            )
            for row in valid
        )
    return invitations, [row for row in checked if not row.valid]


def invitation_link(invitation: Invitation) -> str:
    path = reverse("registrations:register", kwargs={"slug": invitation.event.slug})
    return f"{settings.SITE_URL}{path}?code={invitation.code}"


class InviteeUploadForm(forms.Form):
    event = forms.ModelChoiceField(
        label=gettext_lazy("Event"), queryset=Event.objects.order_by("-start")
    )
    expires_at = forms.SplitDateTimeField(
        label=gettext_lazy("Invitations expire"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=gettext_lazy("Optional. Empty: the invitations do not expire."),
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: email, first_name, last_name, organisation, organisation_type, country "
            "(two-letter code), note. UTF-8; fields separated by ; or ,."
        ),
    )

    def clean_expires_at(self) -> datetime | None:
        value = self.cleaned_data["expires_at"]
        if value is not None and value <= timezone.now():
            raise ValidationError(_("Choose a moment in the future."))
        return value


class InviteeConfirmForm(forms.Form):
    preview = forms.CharField(widget=forms.HiddenInput)

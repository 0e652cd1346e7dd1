"""Checks on uploaded files: type by extension and by content, and size."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# What each accepted extension must start with. Office Open XML and OpenDocument files are ZIP
# archives; the legacy Office formats are OLE compound files.
_ZIP = (b"PK\x03\x04",)
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


@deconstructible
class MaxFileSizeValidator:
    """Refuses files larger than the setting named ``setting_name`` (read when validating)."""

    def __init__(self, setting_name: str) -> None:
        self.setting_name = setting_name

    def __call__(self, file) -> None:
        limit = getattr(settings, self.setting_name)
        if file.size > limit:
            raise ValidationError(
                _("This file is %(size)s; the largest accepted is %(limit)s."),
                code="file_too_large",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxFileSizeValidator) and other.setting_name == self.setting_name


def validate_document_file(file) -> None:
    """Accepts only the document types of ``DOCUMENT_SIGNATURES`` whose content matches the name."""
    extension = Path(file.name).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_SIGNATURES:
        raise ValidationError(
            _("Files of type “%(extension)s” are not accepted. Accepted types: %(allowed)s."),
            code="invalid_extension",
            params={
                "extension": extension or "?",
                "allowed": ", ".join(sorted(DOCUMENT_SIGNATURES)),
            },
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    if isinstance(head, str):
        head = head.encode()
    if not head.startswith(DOCUMENT_SIGNATURES[extension]):
        raise ValidationError(
            _("This file's content is not a valid %(extension)s file."),
            code="content_mismatch",
            params={"extension": extension.upper()},
        )

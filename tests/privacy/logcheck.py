"""Finding email addresses and badge codes in log output, for the check that the whole test
suite runs with (``tests/conftest.py``): no log line may carry one, before any redaction.

The patterns are this file's own, not the ones of ``eventsite.logging`` that redact production
logs, so that a gap in those is not hidden by the same gap here.
"""

import logging
import re

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# badges.codes.CODE_RE, unanchored and in either case (people type codes in lower case too).
BADGE_CODE_RE = re.compile(r"\b[0-9A-Z]{1,10}-[A-Z2-7]{26}-[A-Z2-7]{10}\b", re.IGNORECASE)


STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """(kind, what was found) for every email address and badge code in ``text``."""
    found = [("email address", match.group(0)) for match in EMAIL_RE.finditer(text)]
    found += [("badge code", match.group(0)) for match in BADGE_CODE_RE.finditer(text)]
    return found


def mask(value: str) -> str:
    """Enough of a finding to recognise it in the report, not enough to use it."""
    return value[:4] + "…"


class PersonalDataCatcher(logging.Handler):
    """Looks at every record as it is logged (message, traceback, stack) and keeps where each
    finding came from; it keeps nothing else."""

    _formatter = logging.Formatter()

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.findings: list[tuple[str, str, str, str]] = []
        self.current_test = "(outside tests)"

    def text_of(self, record: logging.LogRecord) -> str:
        # Read without touching the record: a formatter would cache the raw traceback in
        # ``exc_text``, which the handlers after this one would then print unredacted.
        try:
            parts = [record.getMessage()]
        except Exception:  # a malformed record is for its own test to notice
            parts = [str(record.msg), repr(record.args)]
        if record.exc_info:
            parts.append(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        # Extras reach structured (JSON) logs: Django's ``request``, Celery's ``data`` and such.
        for key, value in vars(record).items():
            if key in STANDARD_ATTRIBUTES:
                continue
            if isinstance(value, str | dict | list | tuple):
                parts.append(str(value))
            elif isinstance(getattr(value, "path", None), str):
                parts.append(value.path)
        return "\n".join(parts)

    def emit(self, record: logging.LogRecord) -> None:
        text = self.text_of(record)
        for kind, value in find_personal_data(text):
            self.findings.append((self.current_test, record.name, kind, mask(value)))

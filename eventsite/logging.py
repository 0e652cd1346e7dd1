"""Logs that operations can ship anywhere, because they carry no personal data.

``RedactingFilter`` (on every handler) rewrites each record before it is written: the message
with its arguments, every extra attribute (Django's ``request``, Celery's ``data``) and, through
the formatters here, tracebacks. It removes email addresses, badge codes, credentials in
``Authorization`` values and the secret tokens that the site puts in addresses (a registration's
``/registration/<token>/``, a personal calendar's ``/calendar/<token>.ics``, a survey's
``/feedback/<token>/``, ``?token=`` and the like), and any long random-looking string.

gunicorn's access log lines get their own treatment (``gunicorn.conf.py`` sends them here): the
path without its query string, the client address shortened to its network (/24, or /48 for
IPv6), the referrer without its query, and no user name.

``JsonFormatter`` writes one JSON object a line (python-json-logger), ``PlainFormatter`` the
usual text for development; both redact tracebacks.

Nothing here reads Django's settings: gunicorn loads it before Django is set up.
"""

import ipaddress
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

REDACTED = "[redacted]"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# badges.codes: <event in base 36>-<26 characters of base 32>-<10 characters of base 32>.
BADGE_CODE = re.compile(r"\b[0-9A-Z]{1,10}-[A-Z2-7]{26}-[A-Z2-7]{10}\b")
# "Authorization: Token …", "Device …" (scanners), "Bearer …", "Basic …".
CREDENTIAL = re.compile(r"\b((?i:token|device|bearer|basic))(\s+)[A-Za-z0-9._~+/=-]{16,}")
# A path segment after one of these is a secret (registration, calendar, survey tokens, …).
TOKEN_PATH = re.compile(
    r"(/(?:r|registration|registrations|calendar|feedback|survey|surveys|invitation|"
    r"invitations|invite|unsubscribe|device|devices|token|tokens)/)[A-Za-z0-9_-]{16,}"
)
SECRET_QUERY = re.compile(
    r"([?&;](?:token|key|code|secret|password|signature|email|invitation|invitation_code)=)"
    r"[^&;\s\"'#]+",
    re.IGNORECASE,
)
LONG_RUN = re.compile(r"[A-Za-z0-9_-]{32,}")

# The attributes every LogRecord has; anything else was passed as ``extra``.
STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


def _random_looking(match: re.Match) -> str:
    """A long run of letters and digits with upper case, lower case and digits is a token
    (``secrets.token_urlsafe``); identifiers, hex digests and UUIDs lack one of the three."""
    text = match.group(0)
    kinds = (str.isupper, str.islower, str.isdigit)
    if all(any(kind(c) for c in text) for kind in kinds):
        return REDACTED
    return text


def redact(text: str) -> str:
    """``text`` without email addresses, badge codes, credentials or tokens."""
    text = EMAIL.sub("[email]", text)
    text = BADGE_CODE.sub("[badge-code]", text)
    text = CREDENTIAL.sub(rf"\1\2{REDACTED}", text)
    text = TOKEN_PATH.sub(rf"\1{REDACTED}", text)
    text = SECRET_QUERY.sub(rf"\1{REDACTED}", text)
    return LONG_RUN.sub(_random_looking, text)


def redact_value(value: Any) -> Any:
    """A value made safe to log and to write as JSON: text redacted, containers walked."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(key): redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    method, path = getattr(value, "method", None), getattr(value, "path", None)
    if isinstance(method, str) and isinstance(path, str):  # an HttpRequest: never its headers
        return f"{method} {redact(path)}"
    return redact(str(value))


def without_query(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def network_of(address: str) -> str:
    """The client's network rather than the client: the last octet (IPv4) or the last 80 bits
    (IPv6) set to zero, enough to see where trouble comes from without naming a person."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "-"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _access_fields(atoms: Mapping) -> dict[str, Any]:
    """The fields of one gunicorn access log line, from gunicorn's atoms."""

    def atom(key: str) -> str:
        value = atoms.get(key)
        return "-" if value is None else str(value)

    forwarded = atom("{x-forwarded-for}i")
    client = forwarded.split(",")[0] if forwarded != "-" else atom("h")
    status = atom("s")
    sent = atom("B")
    duration = atom("M")
    referer = atom("f")
    return {
        "method": atom("m"),
        "path": redact(atom("U")),
        "status": int(status) if status.isdigit() else status,
        "bytes": int(sent) if sent.isdigit() else 0,
        "duration_ms": int(duration) if duration.isdigit() else None,
        "client_network": network_of(client),
        "user_agent": atom("a"),
        "referer": redact(without_query(referer)) if referer != "-" else "-",
    }


class RedactingFilter(logging.Filter):
    """Put on handlers (a logger's own filters skip records from child loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            fields = _access_fields(record.args)
            for key, value in fields.items():
                setattr(record, key, value)
            record.msg = f"{fields['method']} {fields['path']} {fields['status']}"
            record.args = None
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must not lose the record, nor leak its arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in STANDARD_ATTRIBUTES:
                setattr(record, key, redact_value(value))
        return True


class PlainFormatter(logging.Formatter):
    """Text lines for development, with tracebacks redacted too."""

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info))


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message and the extras."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__("{levelname}{name}{message}", *args, style="{", **kwargs)

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info) -> str:
        return redact(super().formatStack(stack_info))

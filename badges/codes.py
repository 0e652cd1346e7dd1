"""Badge codes: what the QR code on a badge carries.

A code reads ``<event>-<secret>-<check>``: the event's id in base 36, 26 characters of base 32
(130 random bits) and 10 characters of an HMAC over both (50 bits). Upper-case letters, digits and
'-' only, so the QR code uses its compact alphanumeric mode and stays readable at arm's length.

The check tells a tampered or made-up code from a real one without a database lookup; the
secret is what the database knows, so a code can be revoked by marking its row.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings

CODE_RE = re.compile(r"^([0-9A-Z]{1,10})-([A-Z2-7]{26})-([A-Z2-7]{10})$")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def _to_base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
        if number == 0:
            return out


def _check(event_part: str, secret: str) -> str:
    key = hashlib.sha256(b"eventsite-badge-code:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, f"{event_part}-{secret}".encode(), hashlib.sha256).digest()
    return _b32(digest)[:10]


def new_code(*, event_id: int) -> str:
    event_part = _to_base36(event_id)
    secret = _b32(secrets.token_bytes(17))[:26]
    return f"{event_part}-{secret}-{_check(event_part, secret)}"


@dataclass(frozen=True)
class ParsedCode:
    event_id: int
    secret: str


class MalformedCode(ValueError):
    """Not a badge code of this site at all (a made-up code, another system's QR code)."""


class TamperedCode(ValueError):
    """Shaped like a badge code of this site, but its check does not match: altered or forged."""


def parse_code(raw: str) -> ParsedCode:
    """The event and secret of a code; raises ``MalformedCode`` or ``TamperedCode``."""
    code = (raw or "").strip().upper()
    match = CODE_RE.match(code)
    if match is None:
        raise MalformedCode(code[:80])
    event_part, secret, check = match.groups()
    if not hmac.compare_digest(check, _check(event_part, secret)):
        raise TamperedCode(code[:80])
    return ParsedCode(event_id=int(event_part, 36), secret=secret)

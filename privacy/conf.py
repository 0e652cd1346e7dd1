"""The privacy settings, read when needed (never at import time), with the network's defaults."""

from datetime import datetime, timedelta

from django.conf import settings

from agenda.models import Event

# Used when the settings do not say: two years for the network's reports and follow-up, a month
# after the event for needs and sensitive answers (enough to settle catering and venue invoices).
DEFAULT_RETENTION_DAYS = 730
DEFAULT_SPECIAL_CATEGORY_DAYS = 30
DEFAULT_REQUEST_VALID_DAYS = 7


def default_retention_days() -> int:
    return int(getattr(settings, "PRIVACY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def default_special_category_days() -> int:
    return int(getattr(settings, "PRIVACY_SPECIAL_CATEGORY_DAYS", DEFAULT_SPECIAL_CATEGORY_DAYS))


def request_valid_days() -> int:
    """How long a confirmation link works, and how long a confirmed copy can be downloaded."""
    return int(getattr(settings, "PRIVACY_REQUEST_VALID_DAYS", DEFAULT_REQUEST_VALID_DAYS))


def retention_days(event: Event) -> int:
    return event.retention_days if event.retention_days is not None else default_retention_days()


def special_category_days(event: Event) -> int:
    days = (
        event.special_category_days
        if event.special_category_days is not None
        else default_special_category_days()
    )
    # Never longer than the rest of the event's personal data.
    return min(days, retention_days(event))


def anonymise_after(event: Event) -> datetime:
    return event.end + timedelta(days=retention_days(event))


def special_category_erased_after(event: Event) -> datetime:
    return event.end + timedelta(days=special_category_days(event))

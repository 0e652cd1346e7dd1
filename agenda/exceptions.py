"""Errors a user can cause in the agenda app; forms show them beside ``field``."""

from eventsite.exceptions import ApplicationError


class SlugTaken(ApplicationError):
    code = "slug_taken"


class ScheduleClash(ApplicationError):
    code = "schedule_clash"


class ApiTokenRefused(ApplicationError):
    """A token that would be made without events to reach, or already expired."""

    code = "api_token_refused"


class ApiTokenRevoked(ApplicationError):
    code = "api_token_revoked"
    status = 409

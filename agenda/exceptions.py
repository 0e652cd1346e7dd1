"""Errors a user can cause in the agenda app; forms show them beside ``field``."""

from eventsite.exceptions import ApplicationError


class SlugTaken(ApplicationError):
    code = "slug_taken"


class ScheduleClash(ApplicationError):
    code = "schedule_clash"

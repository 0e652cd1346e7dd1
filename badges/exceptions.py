from django.utils.translation import gettext_lazy as _

from eventsite.exceptions import ApplicationError


class BadgeError(ApplicationError):
    code = "badge_invalid"


class BadgeNotAvailable(BadgeError):
    """Only a confirmed registration has a badge."""

    code = "badge_not_available"
    status = 409

    def __init__(self) -> None:
        super().__init__(_("Only a confirmed registration has a badge."))


class CheckInAlreadyUndone(BadgeError):
    code = "checkin_already_undone"
    status = 409

    def __init__(self) -> None:
        super().__init__(_("This check-in has already been undone."))


class DeviceRevoked(BadgeError):
    code = "device_revoked"
    status = 409

    def __init__(self) -> None:
        super().__init__(_("This device has already been revoked."))

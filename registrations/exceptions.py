from django.utils.translation import gettext_lazy as _

from eventsite.exceptions import ApplicationError


class RegistrationError(ApplicationError):
    code = "registration_invalid"


class RegistrationNotOpen(RegistrationError):
    code = "registration_not_open"
    status = 409


class NotEligible(RegistrationError):
    code = "not_eligible"
    status = 403


class InvitationRequired(RegistrationError):
    code = "invitation_required"
    status = 403


class InvitationInvalid(RegistrationError):
    code = "invitation_invalid"
    status = 403


class RegistrationDeclined(RegistrationError):
    code = "registration_declined"
    status = 409


class SessionsOverlap(RegistrationError):
    code = "sessions_overlap"


class InvalidTransition(RegistrationError):
    code = "invalid_transition"
    status = 409


class Busy(RegistrationError):
    """The seats could not be locked in time; nothing was saved and the client may retry."""

    code = "busy_retry"
    status = 503
    retry_after = 2

    def __init__(self) -> None:
        super().__init__(_("Many people are registering right now. Please try again."))

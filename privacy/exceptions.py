from django.utils.translation import gettext_lazy as _

from eventsite.exceptions import ApplicationError


class PrivacyError(ApplicationError):
    code = "privacy_invalid"


class ErasureRefused(PrivacyError):
    code = "erasure_refused"
    status = 409

    def __init__(self, message=None, **kwargs) -> None:
        super().__init__(
            message
            or _(
                "This person has a staff account. An administrator must remove that account "
                "before the person's data can be erased."
            ),
            **kwargs,
        )


class RequestExpired(PrivacyError):
    code = "request_expired"
    status = 410

    def __init__(self, message=None, **kwargs) -> None:
        super().__init__(
            message or _("This link has expired. Please make a new request from the privacy page."),
            **kwargs,
        )

"""The one base of every error a user can cause.

Each subclass has a stable ``code`` (for API clients and tests) and a translated message (for
people). Forms show it beside the field named in ``field``; the API turns it into one error shape.
"""

from django.utils.functional import Promise


class ApplicationError(Exception):
    code = "invalid"
    status = 400

    def __init__(
        self, message: str | Promise, *, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

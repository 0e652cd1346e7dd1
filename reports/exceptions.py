"""Errors an attendee or an organiser can cause in the reports app, each with a stable code."""

from datetime import datetime

from eventsite.exceptions import ApplicationError


class ReportsError(ApplicationError):
    code = "reports_invalid"


# --- attendance ----------------------------------------------------------------------------------


class JoinNotAvailable(ReportsError):
    """The join link cannot take this person to the meeting now; ``code`` says why."""

    code = "join_not_available"
    status = 403

    def __init__(self, message, *, code: str, opens_at: datetime | None = None) -> None:
        super().__init__(message, code=code)
        self.opens_at = opens_at


class AttendanceMarkRefused(ReportsError):
    code = "attendance_mark_refused"
    status = 409


# --- feedback ------------------------------------------------------------------------------------


class SurveyClosed(ReportsError):
    code = "survey_closed"
    status = 409


class AnswerInvalid(ReportsError):
    """An answer the survey cannot take; ``field`` names the form field it came from."""

    code = "answer_invalid"


# --- certificates --------------------------------------------------------------------------------


class CertificateNotAvailable(ReportsError):
    """No certificate for this registration (yet); ``code`` says why."""

    code = "certificate_not_available"
    status = 403

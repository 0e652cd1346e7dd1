from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyQuestionKind(models.TextChoices):
    OVERALL_RATING = "overall_rating", _("Overall rating (1 to 5)")
    SESSION_RATINGS = "session_ratings", _("A rating (1 to 5) for each session attended")
    RATING = "rating", _("Rating (1 to 5)")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


class StandardQuestion(models.TextChoices):
    """The questions every survey starts with; the wording shown is the attendee's language's."""

    OVERALL = "overall", _("Overall rating")
    SESSIONS = "sessions", _("Session ratings")
    MOST_USEFUL = "most_useful", _("Most useful")
    DO_DIFFERENTLY = "do_differently", _("What you will do differently")
    COMMENTS = "comments", _("Other comments")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")

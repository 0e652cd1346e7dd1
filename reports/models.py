"""After the event: online attendance, manual attendance marks, feedback surveys and reports.

In-person attendance is ``badges.CheckIn``; this app adds what the door does not see.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event, Session
from registrations.models import Registration

from .enums import ReportStatus, StandardQuestion, SurveyQuestionKind


def new_survey_token() -> str:
    return secrets.token_urlsafe(32)


# --- attendance ----------------------------------------------------------------------------------


class OnlineJoin(models.Model):
    """One click on an online attendee's join link, recorded before redirecting to the meeting."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="online_joins",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="online_joins",
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("online join")
        verbose_name_plural = _("online joins")
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["registration", "joined_at"])]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.joined_at:%Y-%m-%d %H:%M}"


class AttendanceMark(models.Model):
    """An organiser's decision that someone attended (or did not), overriding what was recorded.

    Without ``session`` it is about the whole event; with it, about that session.
    """

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="attendance_marks",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance_marks",
    )
    attended = models.BooleanField(_("attended"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(session__isnull=True),
                name="attendancemark_one_per_registration",
            ),
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(session__isnull=False),
                name="attendancemark_one_per_registration_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.attended}"


# --- feedback ------------------------------------------------------------------------------------


class Survey(models.Model):
    """An event's feedback survey.

    Empty dates mean: opens when the event ends, closes ``DEFAULT_OPEN_DAYS`` days later.
    """

    DEFAULT_OPEN_DAYS = 14

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="survey"
    )
    enabled = models.BooleanField(
        _("invite attendees"),
        default=True,
        help_text=_("Off: nobody is invited and the survey cannot be answered."),
    )
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    opens_at = models.DateTimeField(
        _("opens"), null=True, blank=True, help_text=_("Empty: when the event ends.")
    )
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Empty: 14 days after the event ends.")
    )
    invitations_sent_at = models.DateTimeField(
        _("invitations sent"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the first invitations went out; latecomers are invited afterwards."),
    )

    class Meta:
        verbose_name = _("feedback survey")
        verbose_name_plural = _("feedback surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opens",
                violation_error_message=_("The survey must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.event)

    @property
    def opens(self) -> datetime:
        return self.opens_at or self.event.end

    @property
    def closes(self) -> datetime:
        return self.closes_at or self.event.end + timedelta(days=self.DEFAULT_OPEN_DAYS)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.enabled and self.opens <= now < self.closes


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyQuestionKind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Which of the standard questions this is: while its wording is left as written, attendees
    # read it in their own language.
    standard = models.CharField(
        _("standard question"),
        max_length=20,
        choices=StandardQuestion.choices,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind"],
                condition=Q(
                    kind__in=[SurveyQuestionKind.OVERALL_RATING, SurveyQuestionKind.SESSION_RATINGS]
                ),
                name="surveyquestion_one_overall_and_one_sessions",
                violation_error_message=_(
                    "A survey has at most one overall rating and one set of session ratings."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_rating(self) -> bool:
        return self.kind in (SurveyQuestionKind.OVERALL_RATING, SurveyQuestionKind.RATING)


class SurveyResponse(models.Model):
    """One attendee's answers; the token in their invitation is the only way in."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    token = models.CharField(max_length=64, unique=True, default=new_survey_token, editable=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "registration"], name="surveyresponse_one_per_registration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse,
        verbose_name=_("response"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        SurveyQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_answers",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    text = models.TextField(_("answer"), blank=True)
    featured = models.BooleanField(
        _("quote in the report"),
        default=False,
        help_text=_("Free-text answers chosen by organisers appear, unsigned, in the report."),
    )

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(session__isnull=True),
                name="surveyanswer_one_per_question",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "session"],
                condition=Q(session__isnull=False),
                name="surveyanswer_one_per_question_session",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="surveyanswer_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


# --- the report ----------------------------------------------------------------------------------


def report_path(instance: "Report", filename: str) -> str:
    # Random: media files may be served without a permission check.
    return f"reports/{instance.event_id}/{secrets.token_urlsafe(16)}-{filename}"


class Report(models.Model):
    """The post-event report of one event: a PDF and an XLSX workbook, rebuilt on request."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="report"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempt = models.PositiveIntegerField(
        _("request number"),
        default=0,
        help_text=_("Raised by each request; a task building an older request stops."),
    )
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    xlsx = models.FileField(_("workbook"), upload_to=report_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self.event)

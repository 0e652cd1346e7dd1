"""The organisers' admin for attendance marks, online joins and feedback surveys.

Marks go through ``attendance.set_attendance_mark``, so each one leaves an entry in the
registration's history, as marks made on the attendance page do. Online joins, responses and
answers are the record of what attendees did and said: organisers read them, and choose which
free-text answers the report quotes, but change nothing else.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError
from registrations.enums import RegistrationStatus

from . import attendance, feedback
from .enums import SurveyQuestionKind
from .models import (
    AttendanceMark,
    OnlineJoin,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- attendance ----------------------------------------------------------------------------------


class AttendanceMarkForm(forms.ModelForm):
    class Meta:
        model = AttendanceMark
        fields = ["registration", "session", "attended", "note"]

    def clean(self):
        cleaned = super().clean()
        registration, session = cleaned.get("registration"), cleaned.get("session")
        if registration is not None and registration.status != RegistrationStatus.CONFIRMED:
            self.add_error(
                "registration",
                _("Only confirmed registrations are marked; this one is %(status)s.")
                % {"status": registration.get_status_display().lower()},
            )
        if (
            registration is not None
            and session is not None
            and session.event_id != registration.event_id
        ):
            self.add_error("session", _("This session belongs to another event."))
        return cleaned


@admin.register(AttendanceMark)
class AttendanceMarkAdmin(admin.ModelAdmin):
    form = AttendanceMarkForm
    list_display = ["person", "event", "session", "attended", "note", "marked_by", "marked_at"]
    list_select_related = ["registration__person", "registration__event", "session", "marked_by"]
    list_filter = ["attended", "registration__event"]
    search_fields = ["registration__person__first_name", "registration__person__last_name"]
    raw_id_fields = ["registration", "session"]
    fields = ["registration", "session", "attended", "note", "marked_by", "marked_at"]
    readonly_fields = ["marked_by", "marked_at"]
    ordering = ["-marked_at", "-pk"]

    def get_readonly_fields(self, request, obj=None):
        # Whom and what a mark is about stays; another decision is another mark.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "registration", "session"] if obj is not None else fields

    @admin.display(description=_("person"), ordering="registration__person__last_name")
    def person(self, mark: AttendanceMark) -> str:
        return mark.registration.person.full_name

    @admin.display(description=_("event"), ordering="registration__event__start")
    def event(self, mark: AttendanceMark) -> str:
        return str(mark.registration.event)

    def save_model(self, request, obj, form, change):
        try:
            change_made = attendance.set_attendance_mark(
                registration=obj.registration,
                session=obj.session,
                attended=obj.attended,
                note=obj.note,
                actor=request.user,
            )
        except ApplicationError as error:
            # The form was valid; the registration changed meanwhile (e.g. was cancelled).
            messages.error(request, str(error.message))
            return
        if change_made.mark is not None:
            obj.pk = change_made.mark.pk

    def delete_model(self, request, obj):
        attendance.set_attendance_mark(
            registration=obj.registration, session=obj.session, attended=None, actor=request.user
        )

    def delete_queryset(self, request, queryset):
        for mark in queryset.select_related("registration", "session"):
            self.delete_model(request, mark)


@admin.register(OnlineJoin)
class OnlineJoinAdmin(ReadOnlyAdmin):
    list_display = ["person", "event", "session", "joined_at"]
    list_select_related = ["registration__person", "registration__event", "session"]
    list_filter = ["registration__event"]
    search_fields = ["registration__person__first_name", "registration__person__last_name"]
    date_hierarchy = "joined_at"
    ordering = ["-joined_at", "-pk"]

    @admin.display(description=_("person"), ordering="registration__person__last_name")
    def person(self, join: OnlineJoin) -> str:
        return join.registration.person.full_name

    @admin.display(description=_("event"), ordering="registration__event__start")
    def event(self, join: OnlineJoin) -> str:
        return str(join.registration.event)


# --- surveys -------------------------------------------------------------------------------------


class QuestionFormSet(forms.BaseInlineFormSet):
    """At most one overall rating and one set of session ratings, counting the questions saved
    already as well as those in the form."""

    ONE_PER_SURVEY = (SurveyQuestionKind.OVERALL_RATING, SurveyQuestionKind.SESSION_RATINGS)

    def clean(self):
        super().clean()
        kinds = []
        if self.instance.pk is not None:
            in_forms = [form.instance.pk for form in self.initial_forms]
            kinds = list(
                self.instance.questions.exclude(pk__in=in_forms)
                .filter(kind__in=self.ONE_PER_SURVEY)
                .values_list("kind", flat=True)
            )
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("kind") in self.ONE_PER_SURVEY:
                kinds.append(form.cleaned_data["kind"])
        if len(kinds) != len(set(kinds)):
            raise forms.ValidationError(
                _("A survey has at most one overall rating and one set of session ratings.")
            )


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    formset = QuestionFormSet
    fields = ["position", "kind", "label", "help_text", "required"]
    extra = 0
    ordering = ["position", "pk"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["event", "enabled", "opens", "closes", "invited", "answered"]
    list_select_related = ["event"]
    list_filter = ["enabled"]
    search_fields = ["event__title"]
    autocomplete_fields = ["event"]
    fields = ["event", "enabled", "intro", "opens_at", "closes_at", "invitations_sent_at"]
    readonly_fields = ["invitations_sent_at"]
    inlines = [SurveyQuestionInline]
    actions = ["invite_now"]
    ordering = ["-event__start"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invited_count=Count("responses", filter=Q(responses__invited_at__isnull=False)),
                answered_count=Count("responses", filter=Q(responses__submitted_at__isnull=False)),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "event"] if obj is not None else fields

    @admin.display(description=_("opens"))
    def opens(self, survey: Survey):
        return survey.opens

    @admin.display(description=_("closes"))
    def closes(self, survey: Survey):
        return survey.closes

    @admin.display(description=_("invited"), ordering="invited_count")
    def invited(self, survey: Survey) -> int:
        return survey.invited_count

    @admin.display(description=_("answered"), ordering="answered_count")
    def answered(self, survey: Survey) -> str:
        url = reverse("admin:reports_surveyresponse_changelist") + f"?survey__id__exact={survey.pk}"
        return format_html('<a href="{}">{}</a>', url, survey.answered_count)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            feedback.add_standard_questions(survey=form.instance)

    @admin.action(description=_("Invite attendees now (those not invited yet)"))
    def invite_now(self, request, queryset):
        total = 0
        for survey in queryset.select_related("event"):
            if not survey.is_open():
                messages.warning(
                    request,
                    _("The survey of “%(event)s” is not open: nobody was invited.")
                    % {"event": survey.event},
                )
                continue
            total += feedback.invite_attendees(survey=survey)
        messages.success(
            request,
            ngettext("%(count)d attendee invited.", "%(count)d attendees invited.", total)
            % {"count": total},
        )


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    fields = ["question", "session", "rating", "text", "featured"]
    readonly_fields = ["question", "session", "rating", "text"]
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["question__position", "session__start"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "session")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person", "event", "invited_at", "submitted_at", "updated_at"]
    list_select_related = ["registration__person", "survey__event"]
    list_filter = ["survey", ("submitted_at", admin.EmptyFieldListFilter)]
    search_fields = ["registration__person__first_name", "registration__person__last_name"]
    fields = ["survey", "registration", "invited_at", "submitted_at", "updated_at"]
    readonly_fields = fields
    inlines = [SurveyAnswerInline]
    ordering = ["-updated_at", "-pk"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("person"), ordering="registration__person__last_name")
    def person(self, response: SurveyResponse) -> str:
        return response.registration.person.full_name

    @admin.display(description=_("event"), ordering="survey__event__start")
    def event(self, response: SurveyResponse) -> str:
        return str(response.survey.event)


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    """The free-text answers, to choose the quotes of the report."""

    list_display = ["excerpt", "question", "event", "featured"]
    list_editable = ["featured"]
    list_select_related = ["question", "response__survey__event"]
    list_filter = ["featured", "response__survey"]
    search_fields = ["text"]
    fields = ["question", "session", "rating", "text", "featured"]
    readonly_fields = ["question", "session", "rating", "text"]
    ordering = ["-response__updated_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(text="")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answer"))
    def excerpt(self, answer: SurveyAnswer) -> str:
        return Truncator(answer.text).chars(120)

    @admin.display(description=_("event"), ordering="response__survey__event__start")
    def event(self, answer: SurveyAnswer) -> str:
        return str(answer.response.survey.event)

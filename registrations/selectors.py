import functools
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from agenda.models import Event

from .capacity import waitlist_position
from .enums import RegistrationStatus
from .models import (
    PrivacyNotice,
    Question,
    Registration,
    RegistrationSettings,
    SessionPick,
)


@dataclass
class RegistrationSummary:
    status: str
    status_label: str
    mode_label: str
    waitlist_position: int | None
    picks: list[SessionPick]


def registration_summary(registration: Registration) -> RegistrationSummary:
    return RegistrationSummary(
        status=registration.status,
        status_label=str(registration.get_status_display()),
        mode_label=str(registration.get_mode_display()),
        waitlist_position=waitlist_position(registration),
        picks=list(
            registration.session_picks.select_related("session__room").order_by("session__start")
        ),
    )


def registration_by_token(*, token: str) -> Registration | None:
    # No token holds NUL, and PostgreSQL refuses it in a query.
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return (
        Registration.objects.select_related("event__venue", "person__organisation")
        .filter(token=token)
        .first()
    )


def registrations_of_event(*, event_id: int) -> QuerySet[Registration]:
    return Registration.objects.filter(event_id=event_id).select_related(
        "person__organisation", "event"
    )


# --- what organisers list ------------------------------------------------------------------------


def with_waitlist_position(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotates ``waitlist_position`` (1 = next promoted), as ``capacity.waitlist_position``.

    Counted in the same query, over the whole waitlist of the registration's event and mode,
    whatever filters narrow the list. PostgreSQL counts only for the rows it returns (a page of
    the list), and only for those waitlisted.
    """
    ahead = (
        Registration.objects.filter(
            event_id=OuterRef("event_id"),
            mode=OuterRef("mode"),
            status=RegistrationStatus.WAITLISTED,
        )
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        waitlist_position=Case(
            When(
                status=RegistrationStatus.WAITLISTED,
                waitlisted_at__isnull=False,
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


@functools.cache
def _organiser_registrations() -> QuerySet[Registration]:
    # Never evaluated itself: only copied. Building and resolving the waitlist position's
    # subquery cost more CPU than running the query for a page, so it is done once per process.
    return with_waitlist_position(
        Registration.objects.select_related("event", "person__organisation")
    ).order_by("-created_at", "-pk")


def organiser_registrations() -> QuerySet[Registration]:
    """Every registration with its event, person, organisation and ``waitlist_position``,
    newest first (the order of the index ``registration_event_newest`` within an event)."""
    return _organiser_registrations().all()


# --- what registering for an event checks against ------------------------------------------------


def current_privacy_notices(event_id) -> QuerySet[PrivacyNotice]:
    """The notices a registration for the event may consent to, the one in force first: the
    event's own latest if it has one, else the network's latest. ``event_id`` may be an
    ``OuterRef``."""
    return PrivacyNotice.objects.filter(Q(event_id=event_id) | Q(event__isnull=True)).order_by(
        F("event_id").asc(nulls_last=True), "-published_at", "-pk"
    )


@functools.cache
def _events_for_registration() -> QuerySet[Event]:
    # Never evaluated itself: only copied. Resolving the three subqueries costs more CPU than
    # running the query, so it is done once per process.
    return Event.objects.public().annotate(
        registration_notice_id=Subquery(current_privacy_notices(OuterRef("pk")).values("pk")[:1]),
        registration_has_questions=Exists(Question.objects.filter(event=OuterRef("pk"))),
        registration_requires_approval=Exists(
            RegistrationSettings.objects.filter(event=OuterRef("pk"), requires_approval=True)
        ),
    )


def events_for_registration() -> QuerySet[Event]:
    """Public events, each with what registering for it checks (``registration_rules``) in the
    same query: its privacy notice in force, whether it has questions, whether organisers
    approve each registration."""
    return _events_for_registration().all()


@dataclass(frozen=True)
class RegistrationRules:
    privacy_notice_id: int | None
    questions: list[Question]
    requires_approval: bool


def registration_rules(*, event: Event) -> RegistrationRules:
    """What a registration for the event is checked against, read once.

    From the annotations of ``events_for_registration()`` when the event came from it (then one
    query, for the questions, and only when the event has any and they were not prefetched);
    otherwise three queries (two with the questions prefetched).
    """
    if hasattr(event, "registration_notice_id"):
        has_questions = event.registration_has_questions
        notice_id = event.registration_notice_id
        requires_approval = event.registration_requires_approval
    else:
        has_questions = True
        notice_id = current_privacy_notices(event.pk).values_list("pk", flat=True).first()
        requires_approval = RegistrationSettings.objects.filter(
            event=event, requires_approval=True
        ).exists()
    # From the event's prefetched questions when the caller prefetched them.
    questions = list(event.questions.all()) if has_questions else []
    return RegistrationRules(
        privacy_notice_id=notice_id, questions=questions, requires_approval=requires_approval
    )

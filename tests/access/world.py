"""The world the access matrix runs in: two symmetric sides, A (the victim) and B.

Each side has an event happening now (hybrid, a plenary and a sign-up workshop, registration
still open), an event that ended yesterday (for the certificate, the join page's "ended" answer
and the feedback survey), its attendee (confirmed in person with a badge and a door check-in,
and an online attendee of the ended event who joined), three other registrations waiting for an
organiser's decision (pending, waitlisted, declined), a data-protection access request, a made
report and a made print run with their files, and a published document. A scanner device may
work at event A only; an organiser's API token is limited to event B.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from agenda.enums import EventFormat, SessionKind
from agenda.models import Document
from badges.models import PrintRun, PrintRunStatus
from privacy.enums import RequestStatus
from registrations.enums import AttendanceMode, RegistrationStatus
from reports.enums import ReportStatus, SurveyQuestionKind
from reports.models import Report
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    VenueFactory,
)
from tests.factories.badges import BadgeFactory, CheckInFactory, DeviceFactory
from tests.factories.privacy import DataRequestFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import (
    OnlineJoinFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    SurveyResponseFactory,
)

# Names and addresses no page shows by chance, so finding one in an answer means a leak.
PEOPLE = {
    "a": {
        "main": ("Zephyrine", "Quillfeather", "zephyrine.quillfeather@example.org"),
        "pending": ("Aurelio", "Pendingham", "aurelio.pendingham@example.org"),
        "waitlisted": ("Wilhelmina", "Ashcombe", "wilhelmina.ashcombe@example.org"),
        "declined": ("Desmond", "Aderbury", "desmond.aderbury@example.org"),
    },
    "b": {
        "main": ("Bartholomew", "Bexleyhurst", "bartholomew.bexleyhurst@example.org"),
        "pending": ("Bianca", "Pendlebury", "bianca.pendlebury@example.org"),
        "waitlisted": ("Benedikt", "Waldmannsee", "benedikt.waldmannsee@example.org"),
        "declined": ("Brunhilde", "Dorsetshire", "brunhilde.dorsetshire@example.org"),
    },
}

# A well-formed guess at a personal token, and the anonymous caller's only "secret".
GUESSED_TOKEN = "Wq9vJm2TzK4xR7bN1cY8dL5sF3hG6pA0eU2iO9wQxZk"


@dataclass
class Side:
    key: str
    event: object
    past_event: object
    plenary: object
    workshop: object
    person: object
    registration: object
    badge: object
    checkin: object
    past_registration: object
    pending: object
    waitlisted: object
    declined: object
    survey_question: object
    survey_response: object
    data_request: object
    report: object
    print_run: object
    document: object
    # Everything that must never reach a caller of the other side.
    secrets: list[str] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    device: object
    device_token: str
    organiser: object
    organiser_token: str | None
    organiser_token_problem: str = ""
    # Filled in by the test module: where the files are, every row, each side's rows.
    media_root: object = None
    rows: dict = field(default_factory=dict)
    owned: dict = field(default_factory=dict)

    def side(self, key: str) -> Side:
        return self.a if key == "a" else self.b


def _person(first: str, last: str, email: str, organisation):
    # Every detail filled in: the registration form fills in only what is empty.
    return PersonFactory(
        first_name=first,
        last_name=last,
        email=email,
        organisation=organisation,
        job_title="Policy officer",
    )


def build_side(key: str) -> Side:
    now = timezone.now()
    people = PEOPLE[key]
    organisation = OrganisationFactory(name=f"Ministry of side {key.upper()}")
    venue = VenueFactory(name=f"Hall of side {key.upper()}")
    start = now - timedelta(hours=1)
    event = EventFactory(
        title=f"Matrix live {key}",
        slug=f"matrix-live-{key}",
        format=EventFormat.HYBRID,
        venue=venue,
        capacity_in_person=100,
        capacity_online=100,
        online_url=f"https://meet.example.org/live-{key}",
        start=start,
        end=start + timedelta(hours=8),
        registration_opens=now - timedelta(days=10),
        registration_closes=start + timedelta(hours=7),
    )
    past_start = now - timedelta(days=1, hours=8)
    past_event = EventFactory(
        title=f"Matrix past {key}",
        slug=f"matrix-past-{key}",
        format=EventFormat.HYBRID,
        venue=venue,
        capacity_online=100,
        online_url=f"https://meet.example.org/past-{key}",
        start=past_start,
        end=past_start + timedelta(hours=8),
    )
    plenary = SessionFactory(event=event, title=f"Opening of side {key}", start=start)
    workshop = SessionFactory(
        event=event,
        title=f"Workshop of side {key}",
        kind=SessionKind.WORKSHOP,
        start=start + timedelta(hours=2),
        requires_signup=True,
        capacity=30,
    )
    SessionSpeakerFactory(
        session=plenary,
        speaker=SpeakerFactory(name=f"Speaker of side {key}", slug=f"speaker-{key}"),
    )
    person = _person(*people["main"], organisation)
    registration = RegistrationFactory(event=event, person=person, participant_list_consent=True)
    badge = BadgeFactory(registration=registration)
    checkin = CheckInFactory(registration=registration, badge=badge, at=start)
    past_registration = RegistrationFactory(
        event=past_event, person=person, mode=AttendanceMode.ONLINE
    )
    OnlineJoinFactory(registration=past_registration, joined_at=past_start)
    pending = RegistrationFactory(
        event=event,
        person=_person(*people["pending"], organisation),
        status=RegistrationStatus.PENDING,
    )
    waitlisted = RegistrationFactory(
        event=event,
        person=_person(*people["waitlisted"], organisation),
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=now - timedelta(days=2),
    )
    declined = RegistrationFactory(
        event=event,
        person=_person(*people["declined"], organisation),
        status=RegistrationStatus.DECLINED,
    )
    survey = SurveyFactory(event=past_event)
    survey_question = SurveyQuestionFactory(
        survey=survey, kind=SurveyQuestionKind.LONG_TEXT, label="What will you take home?"
    )
    survey_response = SurveyResponseFactory(survey=survey, registration=past_registration)
    data_request = DataRequestFactory(
        email=person.email,
        person=person,
        status=RequestStatus.READY,
        confirmed_at=now,
        token=f"matrix-request-{key}-{'x' * 24}",
    )
    report = Report.objects.create(
        event=event, status=ReportStatus.DONE, attempt=1, percent=100, stage=""
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report of side " + key.encode()))
    report.xlsx.save("report.xlsx", ContentFile(b"PK workbook of side " + key.encode()))
    print_run = PrintRun.objects.create(event=event, status=PrintRunStatus.DONE)
    print_run.file.save("badges.pdf", ContentFile(b"%PDF-1.4 badges of side " + key.encode()))
    document = Document.objects.create(
        event=event,
        title=f"Programme of side {key}",
        file=ContentFile(b"%PDF-1.4 programme of side " + key.encode(), name="programme.pdf"),
    )

    side = Side(
        key=key,
        event=event,
        past_event=past_event,
        plenary=plenary,
        workshop=workshop,
        person=person,
        registration=registration,
        badge=badge,
        checkin=checkin,
        past_registration=past_registration,
        pending=pending,
        waitlisted=waitlisted,
        declined=declined,
        survey_question=survey_question,
        survey_response=survey_response,
        data_request=data_request,
        report=report,
        print_run=print_run,
        document=document,
    )
    for first, last, email in people.values():
        side.secrets += [email, f"{first} {last}", last]
    side.secrets += [badge.code, person.calendar_token, survey_response.token, data_request.token]
    side.secrets += [
        r.token for r in (registration, past_registration, pending, waitlisted, declined)
    ]
    return side


def build_world() -> World:
    a = build_side("a")
    b = build_side("b")
    device = DeviceFactory(name="Door of event A", events=[a.event], last_seen_at=timezone.now())
    organiser = get_user_model().objects.create_user("matrix-organiser-b", is_staff=True)
    organiser.groups.add(Group.objects.get(name="organisers"))
    token, problem = _organiser_token(organiser, b.event)
    return World(
        a=a,
        b=b,
        device=device,
        device_token=device.token,
        organiser=organiser,
        organiser_token=token,
        organiser_token_problem=problem,
    )


def _organiser_token(organiser, event) -> tuple[str | None, str]:
    """The organiser's API token, limited to ``event``; None and why when tokens cannot be made."""
    from agenda import services

    issue = getattr(services, "issue_api_token", None)
    if issue is None:
        return None, "agenda.services.issue_api_token does not exist"
    _token, plaintext = issue(
        user=organiser, name="Matrix: event B only", events=[event], created_by=organiser
    )
    return plaintext, ""

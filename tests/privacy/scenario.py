"""A person who left traces everywhere the site keeps data, to erase or anonymise.

The strings that identify them are unusual on purpose, so that finding one anywhere in a dump
means it was left behind, and never that another row happens to share it.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from weasyprint import HTML

from agenda.models import Event
from badges.models import PrintRun
from badges.printing import run_print_run
from badges.services import Scanner, perform_checkin
from members.models import Person
from registrations.enums import AttendanceMode, EmailKind
from registrations.models import Answer, AuditEntry, OutboxEmail, Registration
from reports.models import (
    AttendanceMark,
    OnlineJoin,
    Report,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
)
from tests.factories.badges import BadgeFactory, DeviceFactory
from tests.factories.registrations import InvitationFactory, QuestionFactory, RegistrationFactory


@dataclass
class Traces:
    person: Person
    events: list[Event]
    secrets: list[str] = field(default_factory=list)  # must be gone after erasure
    badge_codes: list[str] = field(default_factory=list)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def ended_event(days_ago: int, **kwargs) -> Event:
    end = timezone.now() - timedelta(days=days_ago)
    kwargs.setdefault("start", end - timedelta(hours=8))
    kwargs.setdefault("end", end)
    return EventFactory(**kwargs)


def feedback(registration: Registration, *, rating: int, text: str) -> SurveyAnswer:
    survey, _ = Survey.objects.get_or_create(event=registration.event)
    question, _ = SurveyQuestion.objects.get_or_create(
        survey=survey, kind="overall_rating", defaults={"label": "How was it?"}
    )
    comment, _ = SurveyQuestion.objects.get_or_create(
        survey=survey, kind="long_text", defaults={"label": "Anything else?"}
    )
    response = SurveyResponse.objects.create(
        survey=survey, registration=registration, submitted_at=timezone.now()
    )
    SurveyAnswer.objects.create(response=response, question=question, rating=rating)
    return SurveyAnswer.objects.create(response=response, question=comment, text=text)


def person_with_traces(*, with_files: bool = True) -> Traces:
    """Zofia, registered for two past events, with answers, needs, a badge scanned at the door,
    feedback, emails, an invitation, an account, a speaker profile with a photo, and a print
    run and a report that name her."""
    account = get_user_model().objects.create_user(
        "zofia-account",
        email="zofia.quarantotto@example.org",
        first_name="Zofia",
        last_name="Quarantotto",
    )
    person = PersonFactory(
        first_name="Zofia",
        last_name="Quarantotto",
        email="zofia.quarantotto@example.org",
        job_title="Xylograph liaison",
        organisation=OrganisationFactory(name="Ministry of Labour", type="national_authority"),
        country="SI",
        user=account,
    )
    first = ended_event(60, title="Moving Talents")
    second = ended_event(20, title="Fair Recruitment", format="hybrid", capacity_online=50)
    traces = Traces(
        person=person,
        events=[first, second],
        secrets=[
            "zofia.quarantotto@example.org",
            "Zofia",
            "Quarantotto",
            "Xylograph liaison",
            "vegan-zebra-menu",
            "wheelchair-ramp-at-door",
            "gluten-free-please",
            "insulin-fridge-needed",
            "Zofia left early",
            "nightingale-feedback-quote",
        ],
    )
    diet = QuestionFactory(event=first, label="Menu wish", kind="short_text")
    slot = QuestionFactory(
        event=first, label="Slot", kind="single_choice", choices=["Morning", "Evening"]
    )
    health = QuestionFactory(event=first, label="Medication", kind="short_text", sensitive=True)
    invitation = InvitationFactory(
        event=first, email=person.email, note="For Zofia Quarantotto", uses=1
    )
    registration = RegistrationFactory(
        event=first,
        person=person,
        invitation=invitation,
        accessibility_needs="wheelchair-ramp-at-door",
        dietary_needs="gluten-free-please",
        photo_consent=True,
        participant_list_consent=True,
    )
    online = RegistrationFactory(event=second, person=person, mode=AttendanceMode.ONLINE)
    Answer.objects.create(registration=registration, question=diet, value="vegan-zebra-menu")
    Answer.objects.create(registration=registration, question=slot, value="Morning")
    Answer.objects.create(registration=registration, question=health, value="insulin-fridge-needed")
    AuditEntry.objects.create(
        registration=registration,
        actor_label="zofia-account",
        actor=account,
        action="registered",
        to_status=registration.status,
        reason="Zofia asked by phone",
    )
    for kind, target in ((EmailKind.CONFIRMATION, registration), (EmailKind.REMINDER, online)):
        OutboxEmail.objects.create(
            registration=target,
            kind=kind,
            to=person.email,
            subject="Your registration",
            body_text=f"Dear Zofia Quarantotto, see {target.token}",
            body_html=f"<p>Dear Zofia Quarantotto</p><p>{target.token}</p>",
            last_error="SMTPRecipientsRefused: {'zofia.quarantotto@example.org': (450, 'busy')}",
        )
    badge = BadgeFactory(registration=registration)
    traces.badge_codes.append(badge.code)
    device = DeviceFactory(events=[first], shows_accessibility_needs=True)
    perform_checkin(event=first, scanner=Scanner(device=device), code=badge.code)
    session = SessionFactory(event=second)
    OnlineJoin.objects.create(registration=online, session=session)
    AttendanceMark.objects.create(registration=online, attended=True, note="Zofia left early")
    feedback(registration, rating=4, text="nightingale-feedback-quote")
    speaker = SpeakerFactory(name="Zofia Quarantotto", bio="Zofia studies Xylograph", person=person)
    SessionSpeakerFactory(session=SessionFactory(event=first), speaker=speaker)
    LogEntry.objects.log_actions(
        user_id=get_user_model().objects.create_user("editor", is_staff=True).pk,
        queryset=Person.objects.filter(pk=person.pk),
        action_flag=CHANGE,
        change_message="[]",
        single_object=True,
    )
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_repr=str(person)
    ).exists()
    if with_files:
        speaker.photo.save("zofia-quarantotto.png", ContentFile(png_bytes()))
        print_run = PrintRun.objects.create(event=first, total=1)
        run_print_run(print_run_id=print_run.pk)
        report = Report.objects.create(event=first)
        pdf = HTML(string="<h1>Attendees</h1><p>Zofia Quarantotto</p>").write_pdf()
        report.pdf.save("report.pdf", ContentFile(pdf))
    return traces

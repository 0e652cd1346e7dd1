"""Loads the demo content into the database: create what is missing, leave the rest alone."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from agenda.models import (
    Document,
    Event,
    Photo,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from members.models import Organisation, Person

from .events import PAST_EVENTS, upcoming_event
from .media import document_pdf, illustration_png
from .people import ORGANISATIONS, SPEAKERS, VENUE
from .signals import demo_loaded
from .spec import BRUSSELS, SAMPLE, EventSpec, SpeakerSpec

ORGANISERS_GROUP = "organisers"
ORGANISER_USERNAME = "organiser"
# Public on purpose: the command prints it after every run, so a newcomer can sign in at once.
# For this reason the command refuses to run in production unless told otherwise.
ORGANISER_PASSWORD = "lmpn-demo-organiser"  # noqa: S105


@dataclass
class DemoReport:
    """What a run of ``load_demo`` did, for the command to print."""

    created: Counter = field(default_factory=Counter)
    files_written: int = 0
    moved_upcoming_to: date | None = None
    group_created: bool = False
    organiser_created: bool = False
    organiser_has_demo_password: bool = False
    speaker_conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.files_written
            or self.moved_upcoming_to
            or self.group_created
            or self.organiser_created
        )


def _sample(text: str) -> str:
    return f"{text} {SAMPLE}" if text else ""


def _ensure(
    report: DemoReport, model: type[models.Model], found: models.Model | None, /, **values
) -> models.Model:
    """``found`` when it is not None, else a new, validated and saved ``model(**values)``."""
    if found is not None:
        return found
    instance = model(**values)
    # Related rows were fetched or saved just now in this transaction: checking that they
    # exist would cost one query each and prove nothing. clean() and the other checks still run.
    known = [name for name, value in values.items() if isinstance(value, models.Model)]
    instance.full_clean(exclude=known)
    instance.save()
    report.created[str(model._meta.verbose_name_plural)] += 1
    return instance


def _ensure_file(report: DemoReport, name: str, make: Callable[[], bytes]) -> str:
    """Writes ``make()`` to storage under ``name`` unless a file is there already."""
    if default_storage.exists(name):
        return name
    report.files_written += 1
    return default_storage.save(name, ContentFile(make()))


def _organisations(report: DemoReport) -> dict[str, Organisation]:
    # Names are unique per country regardless of case, as the database constraint has it.
    existing = {
        (organisation.name.casefold(), organisation.country.code): organisation
        for organisation in Organisation.objects.all()
    }
    return {
        spec.name: _ensure(
            report,
            Organisation,
            existing.get((spec.name.casefold(), spec.country)),
            name=spec.name,
            type=spec.type,
            country=spec.country,
        )
        for spec in ORGANISATIONS
    }


def _venue(report: DemoReport) -> tuple[Venue, dict[str, Room]]:
    venue = _ensure(
        report,
        Venue,
        Venue.objects.filter(name=VENUE.name).first(),
        name=VENUE.name,
        address=VENUE.address,
        postal_code=VENUE.postal_code,
        city=VENUE.city,
        country=VENUE.country,
        latitude=VENUE.latitude,
        longitude=VENUE.longitude,
        map_url=VENUE.map_url,
        directions=VENUE.directions,
    )
    existing = {room.name: room for room in venue.rooms.all()}
    rooms = {
        spec.name: _ensure(
            report,
            Room,
            existing.get(spec.name),
            venue=venue,
            name=spec.name,
            capacity=spec.capacity,
        )
        for spec in VENUE.rooms
    }
    return venue, rooms


def _speakers(report: DemoReport, organisations: dict[str, Organisation]) -> dict[str, Speaker]:
    people = {
        person.email: person
        for person in Person.objects.filter(email__in=[spec.email for spec in SPEAKERS])
    }
    existing = Speaker.objects.in_bulk([spec.slug for spec in SPEAKERS], field_name="slug")
    return {
        spec.slug: existing.get(spec.slug)
        or _speaker(report, spec, organisations[spec.organisation], people.get(spec.email))
        for spec in SPEAKERS
    }


def _speaker(
    report: DemoReport, spec: SpeakerSpec, organisation: Organisation, person: Person | None
) -> Speaker:
    person = _ensure(
        report,
        Person,
        person,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=spec.email,
        organisation=organisation,
        job_title=spec.job_title,
        country=spec.country,
    )
    return _ensure(
        report,
        Speaker,
        None,
        slug=spec.slug,
        name=spec.name,
        organisation=organisation,
        job_title=spec.job_title,
        bio=_sample(spec.bio),
        person=person,
    )


def _move_upcoming(report: DemoReport, event: Event, spec: EventSpec, now: datetime) -> None:
    """Moves an upcoming event whose registration has closed to the dates of ``spec``.

    Every session keeps its local wall-clock time, whether the demo made it or an organiser did.
    """
    if (event.registration_closes or event.start) > now:
        return
    days = (spec.first_day - event.local(event.start).date()).days
    sessions = list(event.sessions.order_by("-start"))
    event.start, event.end = spec.start_at, spec.end_at
    event.registration_opens = spec.registration_opens
    event.registration_closes = spec.registration_closes
    event.full_clean()
    event.save()
    zone = event.tzinfo
    for session in sessions:
        for name in ("start", "end"):
            local = event.local(getattr(session, name)).replace(tzinfo=None)
            setattr(session, name, (local + timedelta(days=days)).replace(tzinfo=zone))
        session.full_clean()
        session.save()
    report.moved_upcoming_to = spec.first_day


def _event(
    report: DemoReport,
    spec: EventSpec,
    *,
    found: Event | None,
    venue: Venue,
    rooms: dict[str, Room],
    speakers: dict[str, Speaker],
) -> Event:
    event = _ensure(
        report,
        Event,
        found,
        slug=spec.slug,
        title=spec.title,
        theme=spec.theme,
        kind=spec.kind,
        format=spec.format,
        timezone="Europe/Brussels",
        start=spec.start_at,
        end=spec.end_at,
        venue=venue if spec.venue else None,
        online_url=spec.online_url,
        capacity_in_person=spec.capacity_in_person,
        capacity_online=spec.capacity_online,
        registration_opens=spec.registration_opens,
        registration_closes=spec.registration_closes,
        audience=spec.audience,
        status=spec.status,
        summary=spec.summary,
        description=spec.description,
    )
    existing_tracks = {track.name: track for track in event.tracks.all()}
    tracks = {
        track.name: _ensure(
            report,
            Track,
            existing_tracks.get(track.name),
            event=event,
            name=track.name,
            colour=track.colour,
            position=position,
        )
        for position, track in enumerate(spec.tracks, start=1)
    }
    existing_sessions = {session.title: session for session in event.sessions.all()}
    existing_appearances = {
        (appearance.session_id, appearance.speaker_id): appearance
        for appearance in SessionSpeaker.objects.filter(session__event=event)
    }
    for session_spec in spec.sessions:
        start, end = spec.session_times(session_spec)
        session = _ensure(
            report,
            Session,
            existing_sessions.get(session_spec.title),
            event=event,
            title=session_spec.title,
            abstract=_sample(session_spec.abstract),
            kind=session_spec.kind,
            track=tracks[session_spec.track] if session_spec.track else None,
            room=rooms[session_spec.room] if session_spec.room else None,
            start=start,
            end=end,
            capacity=session_spec.capacity,
            requires_signup=session_spec.requires_signup,
        )
        for position, (slug, role) in enumerate(session_spec.speakers, start=1):
            speaker = speakers[slug]
            _ensure(
                report,
                SessionSpeaker,
                existing_appearances.get((session.pk, speaker.pk)),
                session=session,
                speaker=speaker,
                role=role,
                position=position,
            )
    return event


def _media(report: DemoReport, event: Event, spec: EventSpec) -> None:
    speaker_names = tuple((speaker.slug, speaker.name) for speaker in SPEAKERS)
    folder = f"{spec.first_day:%Y}/{spec.slug}"
    documents = {document.title: document for document in event.documents.all()}
    photos = {photo.image.name: photo for photo in event.photos.all()}
    for position, document in enumerate(spec.documents, start=1):
        found = documents.get(document.title)
        name = found.file.name if found else f"documents/{folder}-{document.filename}"
        name = _ensure_file(
            report, name, lambda document=document: document_pdf(spec, document, speaker_names)
        )
        row = _ensure(
            report,
            Document,
            found,
            event=event,
            title=document.title,
            file=name,
            description=document.description,
            position=position,
        )
        # Validation opened the file to check its content.
        row.file.close()
    for position, photo in enumerate(spec.photos, start=1):
        name = f"gallery/{folder}-{photo.filename}"
        found = photos.get(name)
        _ensure_file(report, name, lambda photo=photo: illustration_png(photo))
        _ensure(
            report,
            Photo,
            found,
            event=event,
            image=name,
            alt_text=photo.alt_text,
            caption=photo.caption,
            credit="eventsite demo (sample illustration)",
            position=position,
        )


def _speaker_conflicts(slugs: list[str]) -> list[str]:
    """Speakers of these events who appear in two overlapping sessions, as readable lines."""
    appearances = list(
        SessionSpeaker.objects.filter(session__event__slug__in=slugs)
        .select_related("session", "speaker")
        .order_by("speaker__slug", "session__start")
    )
    conflicts = []
    for index, first in enumerate(appearances):
        for second in appearances[index + 1 :]:
            if second.speaker_id != first.speaker_id:
                break
            if second.session.start < first.session.end:
                conflicts.append(f"{first.speaker}: {first.session.title} / {second.session.title}")
    return conflicts


def _organiser(report: DemoReport) -> None:
    group, report.group_created = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    user_model = get_user_model()
    user = user_model.objects.filter(username=ORGANISER_USERNAME).first()
    if user is None:
        user = user_model(
            username=ORGANISER_USERNAME,
            email="organiser@example.org",
            first_name="Demo",
            last_name="Organiser",
            is_staff=True,
        )
        user.set_password(ORGANISER_PASSWORD)
        user.full_clean()
        user.save()
        user.groups.add(group)
        report.organiser_created = True
    # The plain function, not user.check_password(), which would save a re-hashed password.
    report.organiser_has_demo_password = check_password(ORGANISER_PASSWORD, user.password)


def load_demo(*, now: datetime | None = None) -> DemoReport:
    """Loads the demo events, their people, venue, agenda, documents and photos, and an organiser.

    Saves, in one transaction, whatever of the demo is missing: organisations, people and their
    speaker profiles, the venue and its rooms, the five events with their tracks, sessions,
    speakers' roles, documents and photos, the ``organisers`` group if no migration made it, and
    the staff user ``organiser`` in that group; then sends ``signals.demo_loaded``, whose
    receivers add their apps' sample data in the same transaction. Rows that exist (found by
    slug, name, email or title) are left as they are, so a second run changes nothing and
    organisers' edits stay; the one exception is the upcoming event, moved forward with its
    sessions once its registration has closed. Writes the PDFs and images to the default
    storage unless a file of the same name is there. Takes no locks beyond the transaction's.
    """
    now = now or timezone.now()
    report = DemoReport()
    with transaction.atomic():
        organisations = _organisations(report)
        venue, rooms = _venue(report)
        speakers = _speakers(report, organisations)
        upcoming = upcoming_event(today=now.astimezone(BRUSSELS).date())
        specs = (*PAST_EVENTS, upcoming)
        events = Event.objects.in_bulk([spec.slug for spec in specs], field_name="slug")
        loaded = []
        for spec in specs:
            found = events.get(spec.slug)
            if found is not None and spec is upcoming:
                _move_upcoming(report, found, spec, now)
            event = _event(report, spec, found=found, venue=venue, rooms=rooms, speakers=speakers)
            _media(report, event, spec)
            loaded.append(event)
        report.speaker_conflicts = _speaker_conflicts([spec.slug for spec in specs])
        _organiser(report)
        demo_loaded.send(sender=DemoReport, report=report, events=loaded, now=now)
    return report

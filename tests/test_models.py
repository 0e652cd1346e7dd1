"""What a person would expect to be refused is refused, with a clear message and nothing saved."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from agenda.enums import EventFormat
from agenda.models import Document, Event, Room, Session, SessionSpeaker, Track
from members.models import Organisation, Person
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TrackFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2030, 5, 14, 9, 0, tzinfo=BRUSSELS)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def refusal(instance) -> dict[str, list[str]]:
    """The messages ``full_clean`` gives, by field; an empty dict when it accepts."""
    try:
        instance.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def insert_refused(create) -> bool:
    """Whether the database itself refuses the insert ``create`` makes."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


# Events


def test_event_end_before_start_is_refused():
    event = EventFactory.build(venue=VenueFactory(), start=START, end=START - timedelta(hours=1))

    assert refusal(event) == {"end": ["The event must end after it starts."]}


def test_event_end_before_start_is_refused_by_the_database():
    event = EventFactory.build(venue=VenueFactory(), start=START, end=START)

    assert insert_refused(event.save) is True
    assert Event.objects.count() == 0


def test_event_registration_closing_before_opening_is_refused():
    event = EventFactory.build(
        venue=VenueFactory(),
        registration_opens=START - timedelta(days=10),
        registration_closes=START - timedelta(days=20),
    )

    assert refusal(event) == {"registration_closes": ["Registration must close after it opens."]}


def test_event_registration_closing_before_opening_is_refused_by_the_database():
    event = EventFactory.build(
        venue=VenueFactory(),
        registration_opens=START - timedelta(days=10),
        registration_closes=START - timedelta(days=20),
    )

    assert insert_refused(event.save) is True
    assert Event.objects.count() == 0


def test_event_registration_closing_after_the_event_is_refused():
    event = EventFactory.build(
        venue=VenueFactory(),
        registration_opens=START - timedelta(days=10),
        registration_closes=START + timedelta(days=2),
    )

    assert refusal(event) == {
        "registration_closes": ["Registration cannot close after the event has ended."]
    }


@pytest.mark.parametrize("event_format", [EventFormat.IN_PERSON, EventFormat.HYBRID])
def test_event_in_person_without_venue_is_refused(event_format):
    event = EventFactory.build(format=event_format, venue=None)

    assert refusal(event) == {"venue": ["An in-person or hybrid event needs a venue."]}


def test_event_online_without_venue_is_accepted():
    event = EventFactory.build(online=True)

    assert refusal(event) == {}


def test_event_online_with_in_person_capacity_is_refused():
    event = EventFactory.build(online=True, capacity_in_person=20)

    assert refusal(event) == {"capacity_in_person": ["An online event has no in-person capacity."]}


def test_event_unknown_timezone_is_refused():
    event = EventFactory.build(venue=VenueFactory(), timezone="Europe/Atlantis")

    assert refusal(event) == {
        "timezone": ["“Europe/Atlantis” is not a known time zone, e.g. Europe/Brussels."]
    }


def test_event_slug_in_use_is_refused():
    EventFactory(slug="moving-talents")
    event = EventFactory.build(venue=VenueFactory(), slug="moving-talents")

    assert refusal(event) == {"slug": ["Event with this Slug already exists."]}
    assert Event.objects.count() == 1


# Sessions


OUTSIDE = "The session must take place within its event (2030-05-14 09:00 – 2030-05-14 17:00)."


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (START - timedelta(minutes=30), START + timedelta(minutes=30)),
        (START + timedelta(hours=7), START + timedelta(hours=9)),
        (START + timedelta(days=1), START + timedelta(days=1, hours=1)),
    ],
)
def test_session_outside_its_event_is_refused(start, end):
    event = EventFactory(start=START)
    session = SessionFactory.build(event=event, start=start, end=end)

    assert refusal(session) == {"start": [OUTSIDE]}
    assert Session.objects.count() == 0


def test_session_outside_an_event_not_saved_yet_is_refused():
    # The admin checks the sessions typed with a new event before the event has a primary key.
    event = EventFactory.build(venue=VenueFactory(), start=START)
    session = Session(
        event=event,
        title="Too late",
        start=START + timedelta(hours=9),
        end=START + timedelta(hours=10),
    )

    session.clean_fields(exclude=["event"])
    with pytest.raises(ValidationError) as refused:
        session.clean()

    assert refused.value.message_dict == {"start": [OUTSIDE]}


def test_session_end_before_start_is_refused():
    session = SessionFactory.build(event=EventFactory(), end=START - timedelta(minutes=1))

    assert refusal(session) == {"end": ["The session must end after it starts."]}


def test_session_end_before_start_is_refused_by_the_database():
    session = SessionFactory.build(event=EventFactory(), end=START)

    assert insert_refused(session.save) is True
    assert Session.objects.count() == 0


def test_session_room_double_booked_is_refused():
    event = EventFactory()
    room = RoomFactory(venue=event.venue, name="Europa")
    SessionFactory(event=event, title="Opening plenary", room=room)
    session = SessionFactory.build(
        event=event, room=room, start=START + timedelta(minutes=30), end=START + timedelta(hours=2)
    )

    assert refusal(session) == {
        "room": ["Europa is already booked at this time for “Opening plenary”."]
    }
    assert Session.objects.count() == 1


def test_session_room_booked_by_another_event_is_refused():
    first = EventFactory()
    room = RoomFactory(venue=first.venue, name="Europa")
    SessionFactory(event=first, title="Board meeting", room=room)
    second = EventFactory(venue=first.venue)
    session = SessionFactory.build(event=second, room=room)

    assert refusal(session) == {
        "room": ["Europa is already booked at this time for “Board meeting”."]
    }


def test_session_room_right_after_another_is_accepted():
    event = EventFactory()
    room = RoomFactory(venue=event.venue)
    SessionFactory(event=event, room=room)
    session = SessionFactory.build(
        event=event, room=room, start=START + timedelta(hours=1), end=START + timedelta(hours=2)
    )

    assert refusal(session) == {}


def test_session_changing_its_own_times_is_not_a_double_booking():
    event = EventFactory()
    session = SessionFactory(event=event, room=RoomFactory(venue=event.venue))
    session.end = START + timedelta(hours=2)

    assert refusal(session) == {}


def test_session_room_at_another_venue_is_refused():
    event = EventFactory()
    session = SessionFactory.build(event=event, room=RoomFactory())

    assert refusal(session) == {"room": ["This room is not at the event's venue."]}


def test_session_room_of_an_event_without_venue_is_refused():
    event = EventFactory(online=True)
    session = SessionFactory.build(event=event, room=RoomFactory())

    assert refusal(session) == {
        "room": ["The event has no venue, so its sessions cannot have a room."]
    }


def test_session_track_of_another_event_is_refused():
    event = EventFactory()
    session = SessionFactory.build(event=event, track=TrackFactory())

    assert refusal(session) == {"track": ["This track belongs to another event."]}


def test_session_speaker_twice_on_one_session_is_refused():
    appearance = SessionSpeakerFactory()
    again = SessionSpeaker(session=appearance.session, speaker=appearance.speaker)

    assert refusal(again) == {"__all__": ["This speaker is already on this session."]}
    assert insert_refused(again.save) is True
    assert SessionSpeaker.objects.count() == 1


def test_room_name_twice_at_one_venue_is_refused_by_the_database():
    room = RoomFactory(name="Europa")

    assert insert_refused(lambda: Room.objects.create(venue=room.venue, name="Europa")) is True
    assert Room.objects.count() == 1


def test_track_name_twice_in_one_event_is_refused_by_the_database():
    track = TrackFactory(name="Skills")

    assert insert_refused(lambda: Track.objects.create(event=track.event, name="Skills")) is True
    assert Track.objects.count() == 1


# Organisations and people


def test_organisation_same_name_and_country_any_case_is_refused():
    OrganisationFactory(name="Migration Policy Centre", country="IT")
    twin = Organisation(name="MIGRATION policy centre", type="think_tank_academia", country="IT")

    assert refusal(twin) == {"__all__": ["An organisation with this name and country exists."]}
    assert insert_refused(twin.save) is True
    assert Organisation.objects.count() == 1


def test_organisation_same_name_other_country_is_accepted():
    OrganisationFactory(name="Public Employment Service", country="BE")
    other = Organisation(name="Public Employment Service", type="national_authority", country="FR")

    assert refusal(other) == {}


def test_person_email_in_use_any_case_is_refused():
    PersonFactory(email="ana.pereira@example.org")
    twin = Person(first_name="Ana", last_name="Pereira", email="Ana.Pereira@Example.org")

    assert refusal(twin) == {"__all__": ["A person with this email address exists."]}
    assert insert_refused(twin.save) is True
    assert Person.objects.count() == 1


def test_person_email_in_use_any_case_is_refused_by_the_database():
    PersonFactory(email="ana.pereira@example.org")
    twin = Person(first_name="Ana", last_name="Pereira", email="ANA.PEREIRA@example.org")

    # bulk_create skips Person.save, which lower-cases; the index must still hold.
    assert insert_refused(lambda: Person.objects.bulk_create([twin])) is True
    assert Person.objects.count() == 1


def test_person_email_is_stored_lower_case():
    person = PersonFactory(email=" Ana.Pereira@Example.ORG ")

    person.refresh_from_db()
    assert person.email == "ana.pereira@example.org"


# Documents


def document(name: str, content: bytes) -> Document:
    return Document(
        event=EventFactory(), title="Conference report", file=SimpleUploadedFile(name, content)
    )


def test_document_wrong_extension_is_refused():
    upload = document("installer.exe", b"MZ\x90\x00")

    assert refusal(upload) == {
        "file": [
            "Files of type “exe” are not accepted. Accepted types: doc, docx, jpeg, jpg, odp, "
            "ods, odt, pdf, png, ppt, pptx, xls, xlsx."
        ]
    }


def test_document_content_not_matching_its_extension_is_refused():
    upload = document("report.pdf", PNG)

    assert refusal(upload) == {"file": ["This file's content is not a valid PDF file."]}


def test_document_too_large_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 20
    upload = document("report.pdf", PDF)

    assert refusal(upload) == {
        "file": [f"This file is {len(PDF)}\xa0bytes; the largest accepted is 20\xa0bytes."]
    }


def test_document_good_pdf_is_accepted():
    upload = document("report.pdf", PDF)

    assert refusal(upload) == {}
    upload.save()
    assert Document.objects.get().file.read() == PDF

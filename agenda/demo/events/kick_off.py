"""The kick-off meeting of 25 January 2022 (online, 89 participants)."""

from datetime import date

from agenda.enums import Audience, EventFormat, EventKind, EventStatus

from ..spec import DocumentSpec, EventSpec, SessionSpec, at
from .common import (
    AGENDA_DOCUMENT,
    CHAIR,
    MODERATOR,
    RAPPORTEUR,
    SPEAKER,
    K,
)

KICK_OFF = EventSpec(
    slug="lmpn-kick-off-meeting-2022",
    title="LMPN Kick-off Meeting",
    theme="Launch of the Labour Mobility Practitioners' Network",
    kind=EventKind.KICK_OFF,
    format=EventFormat.ONLINE,
    first_day=date(2022, 1, 25),
    start="10:00",
    last_day_offset=0,
    end="12:30",
    audience=Audience.MEMBERS,
    status=EventStatus.PUBLISHED,
    online_url="https://meet.example.org/lmpn-kick-off-2022",
    capacity_online=150,
    registration_opens=at(date(2022, 1, 6), "09:00"),
    registration_closes=at(date(2022, 1, 24), "17:00"),
    summary=(
        "The network's very first meeting gathered 89 labour mobility practitioners online on "
        "25 January 2022."
    ),
    description="""\
On 25 January 2022, the MPF held the LMPN's Kick-off Meeting. This very first meeting \
successfully gathered **89 labour mobility practitioners** from international organisations, EU \
institutions, national ministries, recruitment agencies, private sector, think tanks, development \
agencies, and non-governmental organisations.

Launched in early 2022, the EU LMPN is open to practitioners from EU Member States and EU \
institutions at the operational level, relevant international organisations, foundations, NGOs, \
think tanks, academic institutions, trade unions, private sector networks/bodies (such as \
employers' associations), diaspora organisations, and migrant associations.

## About this page

The date, the online format and the number of participants are facts. The times, the agenda, \
the speakers and the documents are **sample data** made up for this demonstration.
""",
    sessions=(
        SessionSpec(
            "Welcome and opening",
            K.PLENARY,
            0,
            "10:00",
            "10:15",
            "Why the network was set up and what members can expect from it.",
            speakers=(("lukas-brandstaetter", CHAIR), ("elodie-marchand", SPEAKER)),
        ),
        SessionSpec(
            "The EU LMPN: purpose, membership and ways of working",
            K.PLENARY,
            0,
            "10:15",
            "10:45",
            "How the network works: the address book, member profiles, the library of policy "
            "briefs and research, and the community board.",
            speakers=(("anouk-verbruggen", SPEAKER),),
        ),
        SessionSpec("Short break", K.BREAK, 0, "10:45", "10:55"),
        SessionSpec(
            "What practitioners need from the network",
            K.PANEL,
            0,
            "10:55",
            "11:40",
            "Practitioners from an EU agency, an international organisation, an NGO and a "
            "recruitment agency on the questions they want the network to work on.",
            speakers=(
                ("lukas-brandstaetter", MODERATOR),
                ("ingrid-holmgaard", SPEAKER),
                ("francesca-loreti", SPEAKER),
                ("joost-van-der-heijden", SPEAKER),
                ("luis-ferreira-gomes", SPEAKER),
            ),
        ),
        SessionSpec(
            "Getting to know each other",
            K.NETWORKING,
            0,
            "11:40",
            "12:10",
            "Small online groups of five or six members introduce themselves and their projects.",
        ),
        SessionSpec(
            "Priorities for 2022 and closing",
            K.PLENARY,
            0,
            "12:10",
            "12:30",
            "The topics members asked for, and the calendar of thematic meetings.",
            speakers=(("ciaran-breathnach", RAPPORTEUR), ("lukas-brandstaetter", CHAIR)),
        ),
    ),
    documents=(
        AGENDA_DOCUMENT,
        DocumentSpec(
            title="Meeting summary (sample)",
            filename="meeting-summary.pdf",
            description="A sample summary written for the demonstration.",
            body="""\
## Who took part

89 labour mobility practitioners from international organisations, EU institutions, national \
ministries, recruitment agencies, the private sector, think tanks, development agencies and \
non-governmental organisations.

## What members asked the network to work on (sample)

- Engaging the private sector in mobility schemes
- Recognition of skills and qualifications
- Ethical recruitment
- Capacity building in countries of origin
""",
        ),
    ),
)

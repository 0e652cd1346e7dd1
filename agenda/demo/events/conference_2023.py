"""The second in-person conference, 21-22 November 2023 in Brussels."""

from datetime import date

from agenda.enums import Audience, EventFormat, EventKind, EventStatus

from ..people import VENUE
from ..spec import DocumentSpec, EventSpec, SessionSpec, TrackSpec, at
from .common import (
    AGENDA_DOCUMENT,
    CHAIR,
    FOYER,
    HORTA,
    JORDAENS,
    MODERATOR,
    NETWORK_INTRO,
    PLENARY_HALL,
    RAPPORTEUR,
    SPEAKER,
    K,
)

TRACK_RECOGNITION = "Recognition and matching"
TRACK_ORIGIN = "Partnerships with countries of origin"

CONFERENCE_2023 = EventSpec(
    slug="lmpn-conference-2023-connecting-the-dots",
    title="Labour Mobility and Skills Shortages: Connecting the Dots",
    theme="Labour mobility and skills shortages",
    kind=EventKind.CONFERENCE,
    format=EventFormat.IN_PERSON,
    first_day=date(2023, 11, 21),
    start="08:30",
    last_day_offset=1,
    end="13:00",
    venue=VENUE.name,
    audience=Audience.INVITATION,
    status=EventStatus.PUBLISHED,
    capacity_in_person=120,
    registration_opens=at(date(2023, 9, 18), "09:00"),
    registration_closes=at(date(2023, 11, 7), "17:00"),
    summary=(
        "The network's second in-person conference, in Brussels, on how labour mobility can "
        "help address skills shortages."
    ),
    description=f"""\
On 21–22 November 2023, the Labour Mobility Practitioners' Network (EU LMPN) organised its \
second in-person conference in Brussels to discuss “Labour Mobility and Skills Shortages: \
Connecting the Dots”.

{NETWORK_INTRO}

## About this page

The title, the dates and the city are facts. The venue, the rooms, the times, the tracks, the \
sessions, the speakers and the documents are **sample data** made up for this demonstration.
""",
    tracks=(
        TrackSpec(TRACK_RECOGNITION, "#1f4e79"),
        TrackSpec(TRACK_ORIGIN, "#7b3f00"),
    ),
    sessions=(
        SessionSpec("Registration and welcome coffee", K.BREAK, 0, "08:30", "09:00", room=FOYER),
        SessionSpec(
            "Opening of the conference",
            K.PLENARY,
            0,
            "09:00",
            "09:30",
            "Welcome by the network and by the European Commission.",
            room=PLENARY_HALL,
            speakers=(
                ("lukas-brandstaetter", CHAIR),
                ("elodie-marchand", SPEAKER),
                ("pieter-jan-claes", SPEAKER),
            ),
        ),
        SessionSpec(
            "Skills shortages in Europe: what the data say",
            K.PANEL,
            0,
            "09:30",
            "10:45",
            "Which occupations lack workers, where, and how much labour migration can help.",
            room=PLENARY_HALL,
            speakers=(
                ("maren-oestergaard", MODERATOR),
                ("agnieszka-wroblewska", SPEAKER),
                ("ingrid-holmgaard", SPEAKER),
                ("kristjan-tamm", SPEAKER),
            ),
        ),
        SessionSpec("Morning coffee break", K.BREAK, 0, "10:45", "11:15", room=FOYER),
        SessionSpec(
            "Recognising skills and qualifications faster",
            K.BREAKOUT,
            0,
            "11:15",
            "12:45",
            "Recognition partnerships, skills assessments in countries of origin and "
            "provisional recognition.",
            room=HORTA,
            track=TRACK_RECOGNITION,
            speakers=(
                ("katerina-hrubesova", MODERATOR),
                ("bogdan-ionescu-radulescu", SPEAKER),
                ("sabine-hollmann", SPEAKER),
                ("ciaran-breathnach", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Building skills in countries of origin",
            K.BREAKOUT,
            0,
            "11:15",
            "12:45",
            "Training that benefits both the country of origin and the country of destination.",
            room=JORDAENS,
            track=TRACK_ORIGIN,
            speakers=(
                ("anouk-verbruggen", MODERATOR),
                ("francesca-loreti", SPEAKER),
                ("amara-keita-lambert", SPEAKER),
                ("radoslav-kirilov", SPEAKER),
                ("zeynep-aydin-schroeder", RAPPORTEUR),
            ),
        ),
        SessionSpec("Networking lunch", K.NETWORKING, 0, "12:45", "14:00", room=FOYER),
        SessionSpec(
            "Matching employers and candidates: tools that work",
            K.WORKSHOP,
            0,
            "14:00",
            "15:30",
            "Hands-on comparison of matching tools used by employment services and agencies.",
            room=HORTA,
            track=TRACK_RECOGNITION,
            speakers=(
                ("katerina-hrubesova", MODERATOR),
                ("egle-kazlauskiene", SPEAKER),
                ("luis-ferreira-gomes", SPEAKER),
                ("ciaran-breathnach", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Ethical recruitment along the migration corridor",
            K.WORKSHOP,
            0,
            "14:00",
            "15:30",
            "Who pays recruitment fees, and how to keep them off workers.",
            room=JORDAENS,
            track=TRACK_ORIGIN,
            speakers=(
                ("anouk-verbruggen", MODERATOR),
                ("matteo-dellorto", SPEAKER),
                ("siobhan-ni-fhearghail", SPEAKER),
                ("zeynep-aydin-schroeder", RAPPORTEUR),
            ),
        ),
        SessionSpec("Afternoon coffee break", K.BREAK, 0, "15:30", "16:00", room=FOYER),
        SessionSpec(
            "Employers and trade unions on shortage occupations",
            K.PANEL,
            0,
            "16:00",
            "17:15",
            "Social partners on recruiting abroad while improving conditions at home.",
            room=PLENARY_HALL,
            speakers=(
                ("lukas-brandstaetter", MODERATOR),
                ("henrik-sjoeberg", SPEAKER),
                ("kristjan-tamm", SPEAKER),
                ("mette-kjaergaard", SPEAKER),
            ),
        ),
        SessionSpec("Networking reception", K.NETWORKING, 0, "17:15", "18:30", room=FOYER),
        SessionSpec(
            "Connecting the dots: from shortage lists to mobility schemes",
            K.PLENARY,
            1,
            "09:00",
            "10:30",
            "How national authorities turn shortage analyses into admission and mobility schemes.",
            room=PLENARY_HALL,
            speakers=(
                ("maren-oestergaard", MODERATOR),
                ("dolores-ibanez-ortega", SPEAKER),
                ("aikaterini-papadopoulou", SPEAKER),
                ("elodie-marchand", SPEAKER),
            ),
        ),
        SessionSpec("Coffee break (day 2)", K.BREAK, 1, "10:30", "11:00", room=FOYER),
        SessionSpec(
            "Reports from the tracks",
            K.PLENARY,
            1,
            "11:00",
            "12:15",
            "The rapporteurs of both tracks present what was said and agreed.",
            room=PLENARY_HALL,
            speakers=(
                ("lukas-brandstaetter", CHAIR),
                ("ciaran-breathnach", RAPPORTEUR),
                ("zeynep-aydin-schroeder", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Closing remarks",
            K.PLENARY,
            1,
            "12:15",
            "13:00",
            room=PLENARY_HALL,
            speakers=(("elodie-marchand", SPEAKER), ("lukas-brandstaetter", SPEAKER)),
        ),
    ),
    documents=(
        AGENDA_DOCUMENT,
        DocumentSpec(
            title="Conference report (sample)",
            filename="conference-report.pdf",
            description="A sample report written for the demonstration.",
            body="""\
## Key messages (sample)

1. Shortage lists are a starting point, not a mobility scheme: employers and social partners \
need to be involved in designing the scheme.
2. Recognition of skills is faster when assessments start in the country of origin.
3. Training in countries of origin should also serve local labour markets.
4. Recruitment fees must not be paid by workers.
""",
        ),
    ),
)

"""The third in-person conference, 19-20 November 2024 in Brussels (100 participants)."""

from datetime import date

from agenda.enums import Audience, EventFormat, EventKind, EventStatus

from ..people import VENUE
from ..spec import DocumentSpec, EventSpec, PhotoSpec, SessionSpec, TrackSpec, at
from .common import (
    AGENDA_DOCUMENT,
    CHAIR,
    FOYER,
    HORTA,
    JORDAENS,
    MEUNIER,
    MODERATOR,
    NETWORK_INTRO,
    PLENARY_HALL,
    RAPPORTEUR,
    SPEAKER,
    K,
)

TRACK_HEALTH = "Health and care"
TRACK_GREEN = "Green transition"
TRACK_TALENT = "Talent attraction and retention"

CONFERENCE_2024 = EventSpec(
    slug="lmpn-conference-2024-moving-talents",
    title="Moving Talents: Scaling up Action in Key Sectors",
    theme="Talent Partnerships",
    kind=EventKind.CONFERENCE,
    format=EventFormat.IN_PERSON,
    first_day=date(2024, 11, 19),
    start="08:30",
    last_day_offset=1,
    end="13:00",
    venue=VENUE.name,
    audience=Audience.INVITATION,
    status=EventStatus.PUBLISHED,
    capacity_in_person=100,
    registration_opens=at(date(2024, 9, 16), "09:00"),
    registration_closes=at(date(2024, 11, 5), "17:00"),
    summary=(
        "The network's third in-person conference brought 100 European practitioners in labour "
        "migration, skills recognition and employment to Brussels."
    ),
    description=f"""\
The EU Labour Mobility Practitioner’s Network hosted its third in-person conference in Brussels \
on 19-20 November 2024. {NETWORK_INTRO} The network has been operational since 2022 and \
organises events in different formats on topics such as green skills mobility, talent attraction \
and retention, capacity building in migrants' countries of origin, and ethical recruitment. The \
event aimed to contribute to the effective design and implementation of the Talent Partnership \
policy framework by offering an opportunity for LMPN members and relevant stakeholders to come \
together, exchange, learn and ultimately improve the implementation of labour migration \
initiatives to the EU around the theme “Moving talents: Scaling up action in key sectors”.

The 2024 edition brought **100 European practitioners** in labour migration, skills recognition \
and employment to Brussels, Belgium for two days of lively discussions.

## About this page

The title, the theme, the dates, the city and the number of participants are facts. The venue, \
the rooms, the times, the tracks, the sessions, the speakers and the documents are **sample \
data** made up for this demonstration, and the gallery shows sample illustrations, not photos of \
the event.
""",
    tracks=(
        TrackSpec(TRACK_HEALTH, "#1f4e79"),
        TrackSpec(TRACK_GREEN, "#2e6b30"),
        TrackSpec(TRACK_TALENT, "#7b3f00"),
    ),
    sessions=(
        SessionSpec("Registration and welcome coffee", K.BREAK, 0, "08:30", "09:00", room=FOYER),
        SessionSpec(
            "Welcome and opening",
            K.PLENARY,
            0,
            "09:00",
            "09:30",
            "Welcome by the network and by the European Commission.",
            room=PLENARY_HALL,
            speakers=(("anouk-verbruggen", CHAIR), ("elodie-marchand", SPEAKER)),
        ),
        SessionSpec(
            "Talent Partnerships: what has been scaled up?",
            K.PANEL,
            0,
            "09:30",
            "10:45",
            "Member States and an international organisation on moving from pilots to larger "
            "schemes.",
            room=PLENARY_HALL,
            speakers=(
                ("lukas-brandstaetter", MODERATOR),
                ("matteo-dellorto", SPEAKER),
                ("sabine-hollmann", SPEAKER),
                ("aikaterini-papadopoulou", SPEAKER),
            ),
        ),
        SessionSpec("Morning coffee break", K.BREAK, 0, "10:45", "11:15", room=FOYER),
        SessionSpec(
            "Health and care: recruiting and retaining nurses and carers",
            K.BREAKOUT,
            0,
            "11:15",
            "12:45",
            "Language training, recognition and working conditions in a sector with lasting "
            "shortages.",
            room=HORTA,
            track=TRACK_HEALTH,
            speakers=(
                ("maren-oestergaard", MODERATOR),
                ("henrik-sjoeberg", SPEAKER),
                ("luis-ferreira-gomes", SPEAKER),
                ("siobhan-ni-fhearghail", SPEAKER),
                ("ciaran-breathnach", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Green transition: skills for construction and renewable energy",
            K.BREAKOUT,
            0,
            "11:15",
            "12:45",
            "Green skills mobility for installers, electricians and construction workers.",
            room=JORDAENS,
            track=TRACK_GREEN,
            speakers=(
                ("bogdan-ionescu-radulescu", MODERATOR),
                ("mette-kjaergaard", SPEAKER),
                ("francesca-loreti", SPEAKER),
                ("katerina-hrubesova", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Attracting and keeping talent: beyond the first contract",
            K.BREAKOUT,
            0,
            "11:15",
            "12:45",
            "Career paths, family reunification and diaspora mentoring as reasons to stay.",
            room=MEUNIER,
            track=TRACK_TALENT,
            speakers=(
                ("joost-van-der-heijden", MODERATOR),
                ("egle-kazlauskiene", SPEAKER),
                ("zeynep-aydin-schroeder", SPEAKER),
                ("radoslav-kirilov", SPEAKER),
                ("kristjan-tamm", RAPPORTEUR),
            ),
        ),
        SessionSpec("Networking lunch", K.NETWORKING, 0, "12:45", "14:00", room=FOYER),
        SessionSpec(
            "Workshop: designing a sector-based mobility scheme",
            K.WORKSHOP,
            0,
            "14:00",
            "15:30",
            "Participants design a scheme for care workers step by step.",
            room=HORTA,
            track=TRACK_HEALTH,
            speakers=(
                ("maren-oestergaard", MODERATOR),
                ("ingrid-holmgaard", SPEAKER),
                ("ciaran-breathnach", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Workshop: pre-departure training that employers trust",
            K.WORKSHOP,
            0,
            "14:00",
            "15:30",
            "What employers need to see before they accept training done abroad.",
            room=JORDAENS,
            track=TRACK_GREEN,
            speakers=(
                ("bogdan-ionescu-radulescu", MODERATOR),
                ("francesca-loreti", SPEAKER),
                ("amara-keita-lambert", SPEAKER),
                ("katerina-hrubesova", RAPPORTEUR),
            ),
        ),
        SessionSpec(
            "Workshop: fair recruitment costs – who pays?",
            K.WORKSHOP,
            0,
            "14:00",
            "15:30",
            "The employer-pays principle in practice, from the job offer to the first salary.",
            room=MEUNIER,
            track=TRACK_TALENT,
            speakers=(
                ("joost-van-der-heijden", MODERATOR),
                ("matteo-dellorto", SPEAKER),
                ("siobhan-ni-fhearghail", SPEAKER),
                ("kristjan-tamm", RAPPORTEUR),
            ),
        ),
        SessionSpec("Afternoon coffee break", K.BREAK, 0, "15:30", "16:00", room=FOYER),
        SessionSpec(
            "Employers' perspectives on scaling up",
            K.PANEL,
            0,
            "16:00",
            "17:15",
            "What would make more employers join mobility schemes in key sectors.",
            room=PLENARY_HALL,
            speakers=(
                ("dolores-ibanez-ortega", MODERATOR),
                ("henrik-sjoeberg", SPEAKER),
                ("mette-kjaergaard", SPEAKER),
                ("luis-ferreira-gomes", SPEAKER),
            ),
        ),
        SessionSpec("Networking reception", K.NETWORKING, 0, "17:15", "18:30", room=FOYER),
        SessionSpec(
            "What we heard: reports from the tracks",
            K.PLENARY,
            1,
            "09:00",
            "10:15",
            "The rapporteurs of the three tracks present what was said and agreed.",
            room=PLENARY_HALL,
            speakers=(
                ("anouk-verbruggen", CHAIR),
                ("ciaran-breathnach", RAPPORTEUR),
                ("katerina-hrubesova", RAPPORTEUR),
                ("kristjan-tamm", RAPPORTEUR),
            ),
        ),
        SessionSpec("Coffee break (day 2)", K.BREAK, 1, "10:15", "10:45", room=FOYER),
        SessionSpec(
            "Scaling up action: commitments from members",
            K.PANEL,
            1,
            "10:45",
            "12:15",
            "Members say what they will do in the coming year.",
            room=PLENARY_HALL,
            speakers=(
                ("lukas-brandstaetter", MODERATOR),
                ("elodie-marchand", SPEAKER),
                ("pieter-jan-claes", SPEAKER),
                ("egle-kazlauskiene", SPEAKER),
                ("agnieszka-wroblewska", SPEAKER),
            ),
        ),
        SessionSpec(
            "Take-aways and closing",
            K.PLENARY,
            1,
            "12:15",
            "13:00",
            room=PLENARY_HALL,
            speakers=(("lukas-brandstaetter", SPEAKER), ("elodie-marchand", SPEAKER)),
        ),
    ),
    documents=(
        AGENDA_DOCUMENT,
        DocumentSpec(
            title="Conference report (sample)",
            filename="conference-report.pdf",
            description="A sample report written for the demonstration.",
            body="""\
## Take-aways (sample)

1. Scaling up needs employers in the design of a scheme from its first day.
2. Health and care need language training to start well before departure.
3. Green skills are scarce on both sides: training should serve the country of origin too.
4. Retention depends on careers and families, not only on the first contract.
5. Recruitment costs belong to employers, not to workers.
6. Practitioners want to keep exchanging between conferences.
""",
        ),
    ),
    photos=(
        PhotoSpec(
            "1.png",
            2024_1,
            ("#0b2545", "#13315c"),
            ("#3e7cb1", "#f2c14e"),
            "Abstract illustration: overlapping blue and gold circles on a deep blue background.",
            "Sample illustration, not a photo of the event.",
        ),
        PhotoSpec(
            "2.png",
            2024_2,
            ("#1b4332", "#2d6a4f"),
            ("#95d5b2", "#ffffff"),
            "Abstract illustration: soft teal and white circles drifting across a green gradient.",
            "Sample illustration, not a photo of the event.",
        ),
        PhotoSpec(
            "3.png",
            2024_3,
            ("#6a040f", "#9d0208"),
            ("#f48c06", "#ffdd99"),
            "Abstract illustration: warm orange and sand-coloured circles on a dark red "
            "background.",
            "Sample illustration, not a photo of the event.",
        ),
        PhotoSpec(
            "4.png",
            2024_4,
            ("#10002b", "#240046"),
            ("#c8b6ff", "#5e8bff"),
            "Abstract illustration: pale violet and blue circles on a night-blue gradient.",
            "Sample illustration, not a photo of the event.",
        ),
    ),
)

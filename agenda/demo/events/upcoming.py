"""An invented hybrid event, open for registration whenever the demo is loaded.

Its dates follow the day of loading: it starts on the first Tuesday at least six weeks ahead, so
that registration, waiting lists, badges and calendars can be tried at once. It is open to all
(not members only), so a newcomer can register without a member account.
"""

from datetime import date, timedelta

from agenda.enums import Audience, EventFormat, EventKind, EventStatus

from ..people import VENUE
from ..spec import EventSpec, SessionSpec, TrackSpec, at
from .common import (
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

SLUG = "practitioners-forum-fair-recruitment-green-transition"
LEAD_TIME = timedelta(weeks=6)
TUESDAY = 1

TRACK_FAIR = "Fair recruitment"
TRACK_GREEN = "Green skills"


def first_day_after(today: date) -> date:
    earliest = today + LEAD_TIME
    return earliest + timedelta(days=(TUESDAY - earliest.weekday()) % 7)


def upcoming_event(*, today: date) -> EventSpec:
    """The upcoming event as it should be when loaded on ``today``.

    Registration opened a week before ``today`` and closes the evening before the event.
    """
    first_day = first_day_after(today)
    return EventSpec(
        slug=SLUG,
        title="Practitioners' Forum: Fair Recruitment for the Green Transition",
        theme="Ethical recruitment and green skills mobility",
        kind=EventKind.CONFERENCE,
        format=EventFormat.HYBRID,
        first_day=first_day,
        start="09:00",
        last_day_offset=1,
        end="13:00",
        venue=VENUE.name,
        online_url="https://meet.example.org/lmpn-practitioners-forum",
        capacity_in_person=80,
        capacity_online=200,
        audience=Audience.OPEN,
        status=EventStatus.PUBLISHED,
        registration_opens=at(today - timedelta(days=7), "09:00"),
        registration_closes=at(first_day - timedelta(days=1), "18:00"),
        summary=(
            "Two days in Brussels and online on recruiting workers fairly for the jobs of the "
            "green transition. Sample event for trying the platform."
        ),
        description=f"""\
How can employers, public employment services and recruiters fill the jobs of the green \
transition – installers, electricians, construction workers – without passing recruitment \
costs on to workers? Practitioners compare schemes that work, in Brussels and online.

{NETWORK_INTRO}

## Taking part

Join in Brussels (80 places) or online (200 places). The two workshops of the first day have 30 \
places each and need their own sign-up. The online link is sent to confirmed online attendees.

## About this page

This whole event is **sample data**: its title, dates, venue, rooms, agenda and speakers are \
made up so that registration can be tried on the demo site. Its dates move forward when the \
demo is loaded again after registration has closed.
""",
        tracks=(
            TrackSpec(TRACK_FAIR, "#7b3f00"),
            TrackSpec(TRACK_GREEN, "#2e6b30"),
        ),
        sessions=(
            SessionSpec("Welcome coffee", K.BREAK, 0, "09:00", "09:30", room=FOYER),
            SessionSpec(
                "Opening: fair recruitment for the green transition",
                K.PLENARY,
                0,
                "09:30",
                "10:15",
                "Why the jobs of the green transition need fair recruitment from the start.",
                room=PLENARY_HALL,
                speakers=(
                    ("lukas-brandstaetter", CHAIR),
                    ("elodie-marchand", SPEAKER),
                    ("ingrid-holmgaard", SPEAKER),
                ),
            ),
            SessionSpec(
                "Who recruits for the green transition?",
                K.PANEL,
                0,
                "10:15",
                "11:30",
                "Employers, recruiters, researchers and trade unions on where the workers will "
                "come from.",
                room=PLENARY_HALL,
                speakers=(
                    ("maren-oestergaard", MODERATOR),
                    ("mette-kjaergaard", SPEAKER),
                    ("luis-ferreira-gomes", SPEAKER),
                    ("agnieszka-wroblewska", SPEAKER),
                    ("kristjan-tamm", SPEAKER),
                ),
            ),
            SessionSpec("Coffee break", K.BREAK, 0, "11:30", "11:45", room=FOYER),
            SessionSpec(
                "Workshop: fair recruitment costs in practice",
                K.WORKSHOP,
                0,
                "11:45",
                "13:00",
                "Work through a real recruitment budget and find who pays for what.",
                room=JORDAENS,
                track=TRACK_FAIR,
                capacity=30,
                requires_signup=True,
                speakers=(
                    ("joost-van-der-heijden", MODERATOR),
                    ("matteo-dellorto", SPEAKER),
                    ("siobhan-ni-fhearghail", SPEAKER),
                ),
            ),
            SessionSpec(
                "Workshop: training installers before departure",
                K.WORKSHOP,
                0,
                "11:45",
                "13:00",
                "Design a pre-departure course for heat-pump installers with an employer.",
                room=MEUNIER,
                track=TRACK_GREEN,
                capacity=30,
                requires_signup=True,
                speakers=(
                    ("bogdan-ionescu-radulescu", MODERATOR),
                    ("francesca-loreti", SPEAKER),
                    ("mette-kjaergaard", SPEAKER),
                ),
            ),
            SessionSpec("Networking lunch", K.NETWORKING, 0, "13:00", "14:00", room=FOYER),
            SessionSpec(
                "Breakout: monitoring recruitment agencies",
                K.BREAKOUT,
                0,
                "14:00",
                "15:30",
                "Licensing, inspections and complaints: what keeps recruiters honest.",
                room=HORTA,
                track=TRACK_FAIR,
                speakers=(
                    ("ingrid-holmgaard", SPEAKER),
                    ("luis-ferreira-gomes", SPEAKER),
                    ("katerina-hrubesova", RAPPORTEUR),
                ),
            ),
            SessionSpec(
                "Breakout: recognising green skills across borders",
                K.BREAKOUT,
                0,
                "14:00",
                "15:30",
                "Certificates, skills tests and on-the-job assessment for green occupations.",
                room=JORDAENS,
                track=TRACK_GREEN,
                speakers=(
                    ("sabine-hollmann", SPEAKER),
                    ("egle-kazlauskiene", SPEAKER),
                    ("ciaran-breathnach", RAPPORTEUR),
                ),
            ),
            SessionSpec(
                "Members' marketplace",
                K.NETWORKING,
                0,
                "15:45",
                "17:30",
                "Members present their projects at tables; online participants meet in small "
                "video rooms.",
                room=FOYER,
            ),
            SessionSpec(
                "Reports from the breakouts",
                K.PLENARY,
                1,
                "09:00",
                "10:00",
                room=PLENARY_HALL,
                speakers=(
                    ("anouk-verbruggen", CHAIR),
                    ("katerina-hrubesova", RAPPORTEUR),
                    ("ciaran-breathnach", RAPPORTEUR),
                ),
            ),
            SessionSpec("Coffee break (day 2)", K.BREAK, 1, "10:00", "10:30", room=FOYER),
            SessionSpec(
                "Scaling up fair and green mobility",
                K.PANEL,
                1,
                "10:30",
                "12:15",
                "National authorities and a diaspora organisation on what comes next.",
                room=PLENARY_HALL,
                speakers=(
                    ("lukas-brandstaetter", MODERATOR),
                    ("aikaterini-papadopoulou", SPEAKER),
                    ("dolores-ibanez-ortega", SPEAKER),
                    ("zeynep-aydin-schroeder", SPEAKER),
                ),
            ),
            SessionSpec(
                "Closing",
                K.PLENARY,
                1,
                "12:15",
                "13:00",
                room=PLENARY_HALL,
                speakers=(("elodie-marchand", SPEAKER), ("lukas-brandstaetter", SPEAKER)),
            ),
        ),
    )

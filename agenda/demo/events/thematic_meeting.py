"""The first thematic meeting, on engaging the private sector (online, early 2022)."""

from datetime import date

from agenda.enums import Audience, EventFormat, EventKind, EventStatus

from ..spec import DocumentSpec, EventSpec, SessionSpec, at
from .common import (
    AGENDA_DOCUMENT,
    CHAIR,
    MODERATOR,
    PRESENTING,
    RAPPORTEUR,
    SPEAKER,
    K,
)

THEMATIC_BACKGROUND = """\
Engaging the private sector is crucial for labour mobility projects. Companies not only create \
demand for labour mobility by providing employment and training opportunities, but also \
financially contribute to mobility schemes by means of wages or investment in the country of \
origin. At the same time, numerous policy briefs and research highlight the difficulty of \
engaging companies in such schemes. When asked how to engage them, many often reiterate the need \
to involve them from the very outset of a project. This sounds good in theory but the practice \
remains elusive – what does it actually mean to involve them and how?

To understand this “how”, it is important to go back to the “why”: why do practitioners \
struggle to engage the private sector? What are the day-to-day challenges that practitioners \
face to on-board companies? For the companies, what are the different reasons not to join the \
scheme? How can these challenges be addressed? What kinds of solutions have been used and tested \
by practitioners?

Under the LMPN’s theme of Stakeholder Engagement in mobility schemes, the Network will open its \
first Thematic Meeting by focusing on the Private Sector. In order to understand how to better \
engage this key stakeholder, the meeting will uncover the actual challenges that are in place \
when engaging the companies. This will serve as a starting point to identify what the private \
sector seeks through mobility schemes, which will then lead to successful solutions and \
strategies that have been used and tested to effectively involve companies in schemes. This \
meeting will focus on a practical and granular level on the experience of labour mobility \
practitioners and further explore the potential that the labour mobility practitioners’ \
community has to offer.
"""

THEMATIC_MEETING = EventSpec(
    slug="thematic-meeting-engaging-the-private-sector",
    title="First Thematic Meeting: Engaging the Private Sector",
    theme="Stakeholder engagement in mobility schemes",
    kind=EventKind.THEMATIC_MEETING,
    format=EventFormat.ONLINE,
    first_day=date(2022, 3, 24),
    start="10:00",
    last_day_offset=0,
    end="12:30",
    audience=Audience.MEMBERS,
    status=EventStatus.PUBLISHED,
    online_url="https://meet.example.org/lmpn-thematic-private-sector",
    capacity_online=100,
    registration_opens=at(date(2022, 2, 24), "09:00"),
    registration_closes=at(date(2022, 3, 23), "17:00"),
    summary=(
        "The network's first thematic meeting asked why practitioners struggle to engage "
        "companies in labour mobility schemes, and what has worked."
    ),
    description=f"""\
## Background

{THEMATIC_BACKGROUND}
## About this page

The background above is the network's announcement of 24 January 2022, and the meeting was \
held online with presenting members. Its date (24 March 2022), the times, the agenda, the \
presenting members and the documents are **sample data** made up for this demonstration.
""",
    sessions=(
        SessionSpec(
            "Welcome and introduction to the theme",
            K.PLENARY,
            0,
            "10:00",
            "10:15",
            "Stakeholder engagement in mobility schemes, and why the network starts with the "
            "private sector.",
            speakers=(("anouk-verbruggen", CHAIR),),
        ),
        SessionSpec(
            "Why is it hard to engage companies? Presenting members' experiences",
            K.PANEL,
            0,
            "10:15",
            "11:00",
            "Four members present the day-to-day challenges of on-boarding companies, and the "
            "reasons companies give for not joining a scheme.",
            speakers=(
                ("lukas-brandstaetter", MODERATOR),
                ("luis-ferreira-gomes", PRESENTING),
                ("henrik-sjoeberg", PRESENTING),
                ("egle-kazlauskiene", PRESENTING),
                ("joost-van-der-heijden", PRESENTING),
            ),
        ),
        SessionSpec("Short break", K.BREAK, 0, "11:00", "11:10"),
        SessionSpec(
            "Breakout group A: what companies seek through mobility schemes",
            K.BREAKOUT,
            0,
            "11:10",
            "11:55",
            "Recruitment needs, costs and risks as companies see them.",
            speakers=(("maren-oestergaard", MODERATOR),),
        ),
        SessionSpec(
            "Breakout group B: involving companies from the outset of a project",
            K.BREAKOUT,
            0,
            "11:10",
            "11:55",
            "What “from the very outset” means in practice: design, selection, training and "
            "follow-up.",
            speakers=(("francesca-loreti", MODERATOR),),
        ),
        SessionSpec(
            "Solutions that worked: reporting back from the groups",
            K.PLENARY,
            0,
            "11:55",
            "12:20",
            "Strategies that practitioners have used and tested to involve companies.",
            speakers=(("ciaran-breathnach", RAPPORTEUR), ("anouk-verbruggen", CHAIR)),
        ),
        SessionSpec(
            "Closing and next thematic meeting",
            K.PLENARY,
            0,
            "12:20",
            "12:30",
            speakers=(("lukas-brandstaetter", SPEAKER),),
        ),
    ),
    documents=(
        DocumentSpec(
            title="Background note",
            filename="background-note.pdf",
            description="The meeting's background, from the network's announcement.",
            body=THEMATIC_BACKGROUND,
        ),
        AGENDA_DOCUMENT,
        DocumentSpec(
            title="Meeting summary (sample)",
            filename="meeting-summary.pdf",
            description="A sample summary written for the demonstration.",
            body="""\
## Challenges raised by the presenting members (sample)

- Companies need staff quickly; mobility schemes take many months.
- Small and medium-sized companies lack the staff to manage recruitment abroad.
- The costs of training and travel are unclear at the start.

## Solutions discussed (sample)

- A single contact point for companies throughout the scheme.
- Employers take part in selecting and training candidates.
- Costs shared between employers, public funding and partners in the country of origin.
""",
        ),
    ),
)

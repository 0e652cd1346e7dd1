"""The demo's events: the network's past events, with sample agendas, and an upcoming one.

The past events' facts come from the network's news posts (date, format, place, participants,
themes, and the texts quoted in the descriptions). Everything else (times, sessions, speakers,
documents, the thematic meeting's exact date) is sample data, and each event's description says
which. The upcoming event is invented as a whole.
"""

from ..spec import EventSpec
from .conference_2023 import CONFERENCE_2023
from .conference_2024 import CONFERENCE_2024
from .kick_off import KICK_OFF
from .thematic_meeting import THEMATIC_MEETING
from .upcoming import upcoming_event

PAST_EVENTS: tuple[EventSpec, ...] = (KICK_OFF, THEMATIC_MEETING, CONFERENCE_2023, CONFERENCE_2024)

__all__ = ["PAST_EVENTS", "upcoming_event"]

"""The organisers' admin: events with their agenda, speakers, venues, and people's history.

Times of an event and its sessions are typed and shown in the event's own time zone: the change
pages of events and sessions run with that zone active (``common.EventZoneMixin``).
"""

from . import events, people, sessions, tokens, venues

__all__ = ["events", "people", "sessions", "tokens", "venues"]

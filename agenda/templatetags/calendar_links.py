"""``{% add_to_calendar %}`` buttons and ``{% webcal %}`` addresses for the pages.

The links are built from objects the page has already loaded (the event with its venue, the
session with its room), so they add no query.
"""

from django import template

from agenda import ical
from agenda.models import Event, Session

register = template.Library()


@register.inclusion_tag("agenda/includes/add_to_calendar.html")
def add_to_calendar(event: Event, session: Session | None = None) -> dict:
    links = ical.session_links(session) if session is not None else ical.event_links(event)
    return {"links": links, "event": event, "session": session}


@register.simple_tag
def webcal(path: str) -> str:
    """The ``webcal://`` address of a feed at ``path``, for calendar applications."""
    return ical.webcal_url(path)

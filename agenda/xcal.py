"""An event's agenda as xCal (RFC 6321): the iCalendar feed of ``agenda.ical`` written in XML.

The file holds the same components as ``/events/<slug>/calendar.ics`` (one VEVENT per session
with the same UIDs, and the VTIMEZONE of the event's zone), so an application that reads both
sees one calendar. The conversion goes through icalendar's jCal form (RFC 7265), whose data
model is xCal's: each property is a name, parameters, a value type and one or more values.
"""

import xml.etree.ElementTree as ET
from datetime import datetime

from icalendar import Calendar

from . import ical
from .models import Event, Session

NAMESPACE = "urn:ietf:params:xml:ns:icalendar-2.0"

# Parameters whose value is an address rather than text (RFC 6321, section 3.5).
URI_PARAMETERS = {"altrep", "dir"}
CAL_ADDRESS_PARAMETERS = {"delegated-from", "delegated-to", "member", "sent-by"}
# Text properties of RFC 7986 that icalendar writes with the jCal type "unknown".
TEXT_PROPERTIES = {"name", "color"}


def value_type(prop_name: str, kind: str) -> str:
    """The xCal value element of a property: X- properties are TEXT by default (RFC 5545,
    3.8.8.2), as are the RFC 7986 ones icalendar has no type for."""
    if kind == "unknown" and (prop_name.startswith("x-") or prop_name in TEXT_PROPERTIES):
        return "text"
    return kind


def _qualified(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parameters(parent: ET.Element, parameters: dict) -> None:
    if not parameters:
        return
    element = ET.SubElement(parent, _qualified("parameters"))
    for name, value in parameters.items():
        if name == "value":  # the value's own element says its type
            continue
        parameter = ET.SubElement(element, _qualified(name))
        kind = (
            "uri"
            if name in URI_PARAMETERS
            else "cal-address"
            if name in CAL_ADDRESS_PARAMETERS
            else "text"
        )
        for item in value if isinstance(value, list) else [value]:
            ET.SubElement(parameter, _qualified(kind)).text = _text(item)


def _value(parent: ET.Element, name: str, kind: str, value) -> None:
    if name == "geo":
        latitude, longitude = value
        ET.SubElement(parent, _qualified("latitude")).text = _text(latitude)
        ET.SubElement(parent, _qualified("longitude")).text = _text(longitude)
        return
    element = ET.SubElement(parent, _qualified(kind))
    if kind == "period" and isinstance(value, list):
        start, end_or_duration = value
        ET.SubElement(element, _qualified("start")).text = start
        part = "duration" if end_or_duration.startswith(("P", "-P", "+P")) else "end"
        ET.SubElement(element, _qualified(part)).text = end_or_duration
    elif kind == "recur" and isinstance(value, dict):
        for part, part_value in value.items():
            for item in part_value if isinstance(part_value, list) else [part_value]:
                ET.SubElement(element, _qualified(part)).text = _text(item)
    else:
        element.text = _text(value)


def _component(parent: ET.Element, jcal: list) -> None:
    name, properties, components = jcal
    element = ET.SubElement(parent, _qualified(name))
    if properties:
        holder = ET.SubElement(element, _qualified("properties"))
        for prop_name, parameters, kind, *values in properties:
            prop = ET.SubElement(holder, _qualified(prop_name))
            _parameters(prop, parameters)
            for value in values:
                _value(prop, prop_name, value_type(prop_name, kind), value)
    if components:
        holder = ET.SubElement(element, _qualified("components"))
        for component in components:
            _component(holder, component)


def to_xcal(calendar: Calendar) -> bytes:
    """The calendar as an xCal document (``<icalendar>`` in the iCalendar namespace)."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(_qualified("icalendar"))
    _component(root, calendar.to_jcal())
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def agenda_calendar(event: Event, sessions: list[Session], *, stamp: datetime) -> Calendar:
    """The VCALENDAR of ``/events/<slug>/calendar.ics``, with its VTIMEZONE, as an object.

    Built from the same components as ``ical.agenda_feed``; an event without sessions yet is one
    VEVENT for the whole event.
    """
    file = ical.new_calendar(
        method="PUBLISH",
        name=event.title,
        description=event.summary,
        uid=f"agenda-{event.pk}@{ical.site_host()}",
        feed=True,
        zone=event.timezone,
    )
    if not sessions:
        file.add(
            ical.event_component(event, stamp=stamp), zone=event.timezone, moments=(event.start,)
        )
    venue_text = ical.venue_location(event.venue) if event.venue is not None else None
    roles = ical.role_labels()
    page = ical.session_pages(event)
    for session in sessions:
        file.add(
            ical.session_component(
                session,
                event=event,
                stamp=stamp,
                venue_text=venue_text,
                roles=roles,
                page=page(session.pk),
            ),
            zone=event.timezone,
            moments=(session.start, session.end),
        )
    calendar = file.calendar
    for tzid, (first, last) in sorted(file.years.items()):
        calendar.add_component(ical.vtimezone(tzid, first, last))
    for component in file.components:
        calendar.add_component(component)
    return calendar


def agenda_xcal(event: Event, sessions: list[Session]) -> bytes:
    """``/events/<slug>/schedule.xcal``: the event's agenda feed in xCal."""
    return to_xcal(agenda_calendar(event, sessions, stamp=event.updated_at))

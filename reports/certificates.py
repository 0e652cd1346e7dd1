"""Certificates of attendance: who may have one, what it says, and the PDF WeasyPrint draws.

A confirmed registration that attended an event (``selectors``) may download its certificate
from its personal page once the event has ended. The certificate is drawn anew on each download
from what is recorded then, in the registrant's language, with dates in the event's time zone.
Its reference lets organisers check that a certificate shown to them was issued by the site: it
names the event and the registration and carries a signature made with the site's secret key.
"""

import base64
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agenda.enums import EventStatus
from registrations.enums import RegistrationStatus
from registrations.models import Registration

from .attendance import attends_online
from .exceptions import CertificateNotAvailable
from .selectors import EventAttendance, registration_attendance

LOGO = Path(settings.BASE_DIR) / "static" / "img" / "logo.svg"
REFERENCE_SALT = "reports.certificates.reference"
REFERENCE_PATTERN = re.compile(r"^(\d{1,12})-(\d{1,12})-([A-Z2-7]{8})$")


def _signature(event_id: int, registration_id: int) -> str:
    digest = salted_hmac(REFERENCE_SALT, f"{event_id}:{registration_id}").digest()
    return base64.b32encode(digest[:5]).decode()


def certificate_reference(registration: Registration) -> str:
    """``<event>-<registration>-<signature>``, e.g. ``12-3456-K7QW2M4A``."""
    return (
        f"{registration.event_id}-{registration.pk}-"
        f"{_signature(registration.event_id, registration.pk)}"
    )


def registration_of_reference(reference: str) -> Registration | None:
    """The registration a genuine certificate reference names, else None."""
    match = REFERENCE_PATTERN.match(reference.strip().upper())
    if match is None:
        return None
    event_id, registration_id, signature = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(signature, _signature(event_id, registration_id)):
        return None
    return (
        Registration.objects.select_related("person__organisation", "event")
        .filter(pk=registration_id, event_id=event_id)
        .first()
    )


# --- who may have one ----------------------------------------------------------------------------


def check_certificate(
    *, registration: Registration, now: datetime | None = None
) -> EventAttendance:
    """Raises ``CertificateNotAvailable`` (its code says why) unless the registration may have its
    certificate now; returns the attendance it is drawn from.

    A certificate is for a confirmed registration that attended an event that has ended.
    """
    now = now or timezone.now()
    event = registration.event
    if registration.status != RegistrationStatus.CONFIRMED:
        raise CertificateNotAvailable(
            _("Certificates are for confirmed attendees, and your registration is %(status)s.")
            % {"status": registration.get_status_display().lower()},
            code="certificate_not_confirmed",
        )
    if event.status == EventStatus.CANCELLED:
        raise CertificateNotAvailable(
            _("This event was cancelled, so there is no certificate of attendance."),
            code="certificate_event_cancelled",
        )
    if now < event.end:
        raise CertificateNotAvailable(
            _("Your certificate of attendance will be here once the event has ended."),
            code="certificate_too_early",
        )
    attendance = registration_attendance(registration=registration)
    if registration.pk not in attendance.attended:
        raise CertificateNotAvailable(
            _(
                "Our records do not show that you attended this event, so we cannot issue a "
                "certificate. If you did attend, please write to the organisers: they can "
                "correct the record."
            ),
            code="certificate_not_attended",
        )
    return attendance


# --- what it says --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    language: str
    name: str
    organisation: str
    event_title: str
    event_theme: str
    dates: str
    place: str
    hours: str
    issued_on: str
    reference: str


def event_dates(event) -> str:
    """The event's dates in its time zone, in the active language, e.g. "19 – 20 November 2024"."""
    start, end = event.local(event.start), event.local(event.end)
    if start.date() == end.date():
        return formats.date_format(start, "DATE_FORMAT")
    return "{} – {}".format(
        formats.date_format(start, "DATE_FORMAT"), formats.date_format(end, "DATE_FORMAT")
    )


def place_of(registration: Registration) -> str:
    """Where the registrant attended: the venue and its city, or "online"."""
    event = registration.event
    venue = event.venue if event.venue_id else None
    if venue is None or attends_online(registration):
        return _("online")
    country = venue.country.name if venue.country else ""
    city = f"{venue.city} ({country})" if country else venue.city
    return f"{venue.name}, {city}"


def hours_label(hours: float) -> str:
    """Hours to the nearest quarter, e.g. "6.5 hours" ("6,5 heures" in French); "" for none."""
    quarters = round(hours * 4) / 4
    if quarters <= 0:
        return ""
    decimals = 0 if quarters.is_integer() else (1 if (quarters * 2).is_integer() else 2)
    number = formats.number_format(quarters, decimal_pos=decimals)
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if quarters == 1 else 2) % {
        "hours": number
    }


def certificate_of(
    *, registration: Registration, attendance: EventAttendance, now: datetime | None = None
) -> Certificate:
    """What the certificate says, in the registrant's language."""
    now = now or timezone.now()
    event = registration.event
    person = registration.person
    with translation.override(registration.language):
        return Certificate(
            language=registration.language,
            name=person.full_name,
            organisation=person.organisation.name if person.organisation_id else "",
            event_title=event.title,
            event_theme=event.theme,
            dates=event_dates(event),
            place=place_of(registration),
            hours=hours_label(attendance.hours.get(registration.pk, 0.0)),
            issued_on=formats.date_format(event.local(now), "DATE_FORMAT"),
            reference=certificate_reference(registration),
        )


def render_certificate(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    # Imported here: WeasyPrint takes a second to load, which no other page should wait for.
    from weasyprint import HTML

    with translation.override(certificate.language):
        html = render_to_string(
            "reports/certificate.html",
            {"certificate": certificate, "logo_url": LOGO.as_uri()},
        )
    return HTML(string=html, base_url=str(LOGO.parent)).write_pdf()

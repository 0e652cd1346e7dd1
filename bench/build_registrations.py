"""Build the sample data of the registration rush and the check-in benchmarks.

Run against a template database (``DATABASE_URL``) after ``migrate``:

- ``build_registrations.py rush``: the network's privacy notice and three in-person events open
  for registration: one with 100 seats (the rush), one without a limit, and one for warming up
  (50 seats, so the warm-up also takes the waitlist's path).
- ``build_registrations.py checkin <badges> <warm-up badges> <devices>``: an in-person event
  with that many confirmed registrations, each with its badge (``badges.services.issue_badge``),
  and the scanner devices with their tokens; the codes and tokens go to the file named by
  ``BENCH_CHECKIN_FILE`` in the form ``bench/load.lua`` reads.

Prints what it made as JSON. Every row is sample data made for the benchmark.
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from agenda.enums import Audience, EventFormat, EventKind, EventStatus  # noqa: E402
from agenda.models import Event, Venue  # noqa: E402
from badges.services import create_device, issue_badge  # noqa: E402
from members.enums import OrganisationType  # noqa: E402
from members.models import Organisation, Person  # noqa: E402
from registrations.enums import AttendanceMode, RegistrationStatus  # noqa: E402
from registrations.models import PrivacyNotice, Registration  # noqa: E402


def venue() -> Venue:
    return Venue.objects.create(
        name="Square Brussels Meeting Centre",
        address="Rue Mont des Arts",
        postal_code="1000",
        city="Brussels",
        country="BE",
    )


def in_person_event(*, slug: str, title: str, seats: int | None, place: Venue) -> Event:
    now = timezone.now()
    start = now + timedelta(days=30)
    return Event.objects.create(
        slug=slug,
        title=f"{title} (benchmark sample)",
        kind=EventKind.CONFERENCE,
        format=EventFormat.IN_PERSON,
        timezone="Europe/Brussels",
        start=start,
        end=start + timedelta(hours=8),
        venue=place,
        capacity_in_person=seats,
        registration_opens=now - timedelta(days=1),
        registration_closes=start - timedelta(days=1),
        audience=Audience.OPEN,
        status=EventStatus.PUBLISHED,
        summary="Sample data made for the benchmark.",
    )


@transaction.atomic
def build_rush() -> dict:
    notice = PrivacyNotice.objects.create(
        version="bench-1", text="Sample privacy notice made for the benchmark."
    )
    place = venue()
    events = {
        "rush": in_person_event(
            slug="bench-rush", title="Registration rush", seats=100, place=place
        ),
        "open": in_person_event(slug="bench-open", title="No seat limit", seats=None, place=place),
        "warm": in_person_event(slug="bench-warm-up", title="Warm-up", seats=50, place=place),
    }
    return {
        "privacy_notice": notice.version,
        "events": {key: {"id": e.pk, "slug": e.slug} for key, e in events.items()},
    }


def build_checkin(badges: int, warm: int, devices: int) -> dict:
    with transaction.atomic():
        notice = PrivacyNotice.objects.create(
            version="bench-1", text="Sample privacy notice made for the benchmark."
        )
        event = in_person_event(slug="bench-door", title="Check-in", seats=None, place=venue())
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Benchmark organisation {n}", type=OrganisationType.NGO, country="BE"
            )
            for n in range(1, 51)
        )
        people = Person.objects.bulk_create(
            Person(
                email=f"door-{n}@example.org",
                first_name="Door",
                last_name=f"Attendee {n}",
                organisation=organisations[n % len(organisations)],
            )
            for n in range(1, badges + warm + 1)
        )
        now = timezone.now()
        registrations = Registration.objects.bulk_create(
            Registration(
                event=event,
                person=person,
                status=RegistrationStatus.CONFIRMED,
                mode=AttendanceMode.IN_PERSON,
                privacy_notice=notice,
                privacy_accepted_at=now,
            )
            for person in people
        )
        tokens = [create_device(name=f"Door {n}", events=[event])[1] for n in range(1, devices + 1)]
    codes = [issue_badge(registration=registration).code for registration in registrations]
    with open(os.environ["BENCH_CHECKIN_FILE"], "w") as handle:
        handle.write(f"event {event.slug}\n")
        handle.writelines(f"device {token}\n" for token in tokens)
        handle.writelines(f"code {code}\n" for code in codes[warm:])
    with open(os.environ["BENCH_CHECKIN_FILE"] + ".warm", "w") as handle:
        handle.write(f"event {event.slug}\n")
        handle.writelines(f"device {token}\n" for token in tokens)
        handle.writelines(f"code {code}\n" for code in codes[:warm])
    return {"event": {"id": event.pk, "slug": event.slug}, "badges": badges, "warm": warm}


if __name__ == "__main__":
    if sys.argv[1] == "rush":
        made = build_rush()
    else:
        made = build_checkin(*(int(value) for value in sys.argv[2:5]))
    json.dump(made, sys.stdout)

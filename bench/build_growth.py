"""Build the sample data of the growth benchmark (``bench/growth.py``) in bulk.

``build_growth.py <sizes> <registrations> <scans> <warm-up scans> <devices>``, run against a
template database (``DATABASE_URL``) after ``migrate``, e.g. ``100,1000,10000 200 400 100 16``.
For each size N it makes in-person events that hold N registrations each, as many of each kind
as keep every event within a tenth of its size while a timed run adds to it (one event of
10,000, twenty of 100 for 200 registrations):

- ``register``: N confirmed of a seat limit of 2N (a registration finds a seat);
- ``waitlist``: full, 0.9 N confirmed of 0.9 N seats and 0.1 N waitlisted (a registration is
  waitlisted behind them);
- ``checkin``: N confirmed, each with its badge, half of them checked in at the door by a
  device with their scan log entries; the first of them is also what the organisers' list and
  the offline list read.

Each registration has its "registered" audit entry, as the site writes it; all are made with
``bulk_create`` (no signals, no emails), the people shared between events. Also: the network's
privacy notice, 50 organisations, a warm-up event with 50 seats and one for scanning, the scanner
devices (``badges.services.create_device``, allowed at every check-in event), and an organiser
(staff, allowed to change registrations) with an API token.

Writes the load files under the prefix ``BENCH_GROWTH_FILES``: ``.paths-<kind>-<N>`` (the
events' registration URLs), ``.codes-<N>`` and ``.codes-warm`` (the devices' tokens and the
badge codes not yet checked in, spread over the events), ``.secrets`` (the organiser's token
and a device's, for the read runs). Prints what it made as JSON. Every row is sample data made
for the benchmark.
"""

import json
import math
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")

import django  # noqa: E402

django.setup()

from build_registrations import in_person_event, venue  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from badges.codes import new_code  # noqa: E402
from badges.enums import BadgeRole, LogEntryKind, ScanResult  # noqa: E402
from badges.models import Badge, CheckIn, ScanLog, code_hash  # noqa: E402
from badges.services import create_device  # noqa: E402
from members.enums import OrganisationType  # noqa: E402
from members.models import Organisation, Person  # noqa: E402
from registrations.enums import AttendanceMode, RegistrationStatus  # noqa: E402
from registrations.models import AuditEntry, PrivacyNotice, Registration  # noqa: E402

# A timed run adds at most this share of an event's size to it.
SHARE = 0.1
WAITLISTED_SHARE = 0.1
CHECKED_IN_SHARE = 0.5
ORGANISATIONS = 50
BATCH = 2000


def events_needed(size: int, requests: int, room: float) -> int:
    """Events of ``size`` over which ``requests`` spread leave each within ``room`` of it."""
    return max(1, math.ceil(requests / (room * size)))


def register_all(event, people, *, notice, confirmed: int, waitlisted: int) -> list[Registration]:
    """``confirmed`` then ``waitlisted`` registrations of the first people, with audit entries."""
    now = timezone.now()
    start = now - timedelta(days=10)
    registrations = [
        Registration(
            event=event,
            person=person,
            status=(
                RegistrationStatus.CONFIRMED if n < confirmed else RegistrationStatus.WAITLISTED
            ),
            mode=AttendanceMode.IN_PERSON,
            privacy_notice=notice,
            privacy_accepted_at=start,
            waitlisted_at=start + timedelta(seconds=n) if n >= confirmed else None,
        )
        for n, person in enumerate(people[: confirmed + waitlisted])
    ]
    Registration.objects.bulk_create(registrations, batch_size=BATCH)
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                registration=registration,
                at=start,
                actor_label="attendee",
                action="registered",
                to_status=registration.status,
            )
            for registration in registrations
        ),
        batch_size=BATCH,
    )
    return registrations


def badges_for(registrations: list[Registration]) -> list[Badge]:
    badges = [
        Badge(
            registration=registration,
            event_id=registration.event_id,
            code=new_code(event_id=registration.event_id),
            role=BadgeRole.ATTENDEE,
        )
        for registration in registrations
    ]
    return Badge.objects.bulk_create(badges, batch_size=BATCH)


def check_in(badges: list[Badge], *, device, start) -> None:
    """The badges checked in at the door, each with its scan log entry, a second apart."""
    checkins = CheckIn.objects.bulk_create(
        (
            CheckIn(
                registration_id=badge.registration_id,
                event_id=badge.event_id,
                badge=badge,
                at=start + timedelta(seconds=n),
                recorded_at=start + timedelta(seconds=n),
                device=device,
            )
            for n, badge in enumerate(badges)
        ),
        batch_size=BATCH,
    )
    ScanLog.objects.bulk_create(
        (
            ScanLog(
                event_id=badge.event_id,
                at=checkin.at,
                device=device,
                actor_key=f"device:{device.pk}",
                idempotency_key=f"built-{badge.pk}",
                code_hash=code_hash(badge.code)[:16],
                registration_id=badge.registration_id,
                checkin=checkin,
                result=LogEntryKind.CHECKED_IN,
                response={"result": ScanResult.CHECKED_IN.value},
            )
            for badge, checkin in zip(badges, checkins, strict=True)
        ),
        batch_size=BATCH,
    )


def organiser_token(events) -> str:
    """An organiser allowed to change registrations, and an API token of theirs for ``events``."""
    user = get_user_model().objects.create_user(
        username="bench-organiser", email="organiser@example.org", is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="registrations", codename="change_registration"
        )
    )
    from agenda.services import issue_api_token

    return issue_api_token(user=user, name="Benchmark", events=events)[1]


def write_codes(path: str, *, tokens: list[str], events: list, badges: dict) -> None:
    """The devices, then the codes not yet checked in, event after event turn by turn."""
    columns = [badges[event.pk] for event in events]
    with open(path, "w") as handle:
        handle.write(f"event {events[0].slug}\n")
        handle.writelines(f"device {token}\n" for token in tokens)
        for row in range(max(len(column) for column in columns)):
            for event, column in zip(events, columns, strict=True):
                if row < len(column):
                    handle.write(f"code {column[row].code} {event.slug}\n")


def build(sizes: list[int], registrations: int, scans: int, warm: int, devices: int) -> dict:
    started = time.monotonic()
    prefix = os.environ["BENCH_GROWTH_FILES"]
    with transaction.atomic():
        notice = PrivacyNotice.objects.create(
            version="bench-1", text="Sample privacy notice made for the benchmark."
        )
        place = venue()
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Benchmark organisation {n}", type=OrganisationType.NGO, country="BE"
            )
            for n in range(1, ORGANISATIONS + 1)
        )
        people = Person.objects.bulk_create(
            (
                Person(
                    email=f"grown-{n}@example.org",
                    first_name="Grown",
                    last_name=f"Attendee {n}",
                    organisation=organisations[n % ORGANISATIONS],
                )
                for n in range(1, max(max(sizes), warm) + 1)
            ),
            batch_size=BATCH,
        )
        warm_register = in_person_event(
            slug="bench-grow-warm-up", title="Warm-up", seats=50, place=place
        )
        warm_door = in_person_event(
            slug="bench-grow-warm-door", title="Warm-up door", seats=None, place=place
        )
        warm_badges = badges_for(
            register_all(warm_door, people, notice=notice, confirmed=warm, waitlisted=0)
        )
        made: dict = {"sizes": {}}
        door_events = [warm_door]
        door_badges = {}
        for size in sizes:
            kinds = {}
            for kind, seats, confirmed, waitlisted, count in (
                (
                    "register",
                    2 * size,
                    size,
                    0,
                    events_needed(size, registrations, SHARE),
                ),
                (
                    "waitlist",
                    round(size * (1 - WAITLISTED_SHARE)),
                    round(size * (1 - WAITLISTED_SHARE)),
                    round(size * WAITLISTED_SHARE),
                    events_needed(size, registrations, SHARE),
                ),
                (
                    "checkin",
                    None,
                    size,
                    0,
                    events_needed(size, scans, SHARE),
                ),
            ):
                events = []
                for n in range(1, count + 1):
                    event = in_person_event(
                        slug=f"bench-grow-{size}-{kind}-{n}",
                        title=f"Growth, {size:,} registrations",
                        seats=seats,
                        place=place,
                    )
                    made_here = register_all(
                        event, people, notice=notice, confirmed=confirmed, waitlisted=waitlisted
                    )
                    if kind == "checkin":
                        door_badges[event.pk] = badges_for(made_here)
                    events.append(event)
                kinds[kind] = {
                    "events": [{"id": e.pk, "slug": e.slug} for e in events],
                    "seats": seats,
                    "confirmed": confirmed,
                    "waitlisted": waitlisted,
                }
                if kind == "checkin":
                    door_events += events
                else:
                    path = f"{prefix}.paths-{kind}-{size}"
                    with open(path, "w") as handle:
                        handle.writelines(
                            f"/api/v1/events/{e.slug}/registrations/\n" for e in events
                        )
                    kinds[kind]["paths_file"] = path
            made["sizes"][str(size)] = kinds
        scanners = [
            create_device(name=f"Door {n}", events=door_events) for n in range(1, devices + 1)
        ]
        device_tokens = [token for _device, token in scanners]
        now = timezone.now()
        for size in sizes:
            events = [e for e in door_events if e.slug.startswith(f"bench-grow-{size}-checkin-")]
            done = round(size * CHECKED_IN_SHARE)
            free = {}
            for event in events:
                badges = door_badges[event.pk]
                check_in(badges[:done], device=scanners[0][0], start=now - timedelta(hours=1))
                free[event.pk] = badges[done:]
            made["sizes"][str(size)]["checkin"]["checked_in"] = done
            write_codes(f"{prefix}.codes-{size}", tokens=device_tokens, events=events, badges=free)
            made["sizes"][str(size)]["checkin"]["codes_file"] = f"{prefix}.codes-{size}"
        write_codes(
            f"{prefix}.codes-warm",
            tokens=device_tokens,
            events=[warm_door],
            badges={warm_door.pk: warm_badges},
        )
        list_events = [
            e for e in door_events if e.slug.endswith("-checkin-1") or e.pk == warm_door.pk
        ]
        key = organiser_token(list_events)
    with open(f"{prefix}.secrets", "w") as handle:
        json.dump({"organiser_token": key, "device_token": device_tokens[0]}, handle)
    made.update(
        {
            "warm_register": {"id": warm_register.pk, "slug": warm_register.slug},
            "warm_door": {"id": warm_door.pk, "slug": warm_door.slug},
            "codes_warm": f"{prefix}.codes-warm",
            "secrets_file": f"{prefix}.secrets",
            "registrations": Registration.objects.count(),
            "badges": Badge.objects.count(),
            "checkins": CheckIn.objects.count(),
            "seconds": round(time.monotonic() - started, 1),
        }
    )
    return made


if __name__ == "__main__":
    json.dump(
        build(
            [int(size) for size in sys.argv[1].split(",")],
            *(int(value) for value in sys.argv[2:6]),
        ),
        sys.stdout,
    )

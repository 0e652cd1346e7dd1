"""Benchmark of the organisers' print run: 1,000 badges on A4 sheets, beside the naive render.

    .venv/bin/python bench/print_run.py [--repeats 3] [--badges 1000] [--no-doc]

Seeds an SQLite database in a temporary folder with an in-person conference of 1,000 confirmed
attendees (names in Latin, Greek, Cyrillic and Arabic script, long compound ones among them,
five roles, a fifth without photo consent), their badges issued. Then, in turn and each in a
fresh Python process, it measures:

- naive: the same full badges as one WeasyPrint document, the QR codes as inline SVG
  (``badges.pdf.render_badges(..., qr=QrMode.INLINE_SVG)``), written to a file;
- print run: ``badges.printing.run_print_run``, as the Celery task runs it: fetch, render in
  chunks, what badges share (heading, role bands, no-photo mark, cut marks) laid out once and
  stamped onto each sheet, QR codes painted into the PDF, progress saved per chunk, file stored.

Both run in one process on the same machine: the print run uses no second core.

Each process reports the seconds of its work (Django and WeasyPrint already loaded) and the
kernel reports its peak resident memory (``wait4``'s ``ru_maxrss``, loading included). Both
outputs are checked: one page per four badges, and page 1 carries the first attendee by last
name. Medians of the repeats go to the print run's section of ``docs/benchmarks.md``.
Exit status: 0 when the targets are met, 2 when not, 1 when an output was wrong (then
``docs/benchmarks.md`` is left as it was).
"""

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

# Targets of the issue: at most half the naive render, and under 350 MB at peak.
TARGET_RATIO = 0.5
TARGET_MIB = 350

FIRST_NAMES = [
    "Ana",
    "Maria Alexandra",
    "Jean-Christophe",
    "Sofia",
    "Lars",
    "Agnieszka",
    "Miguel Ángel",
    "Αικατερίνη",
    "Йордан",
    "محمد",
    "Fatou",
    "Olena",
    "Hubert Blaine",
    "Ioana",
    "Pieter",
]
LAST_NAMES = [
    "Novak",
    "Papadopoulou-Konstantinidou",
    "de La Rochefoucauld",
    "Kowalczyk",
    "García López",
    "Jensen",
    "Müller",
    "O'Brien",
    "Παπαδοπούλου",
    "Стефанов",
    "العبدالله",
    "Diallo",
    "Wolfeschlegelsteinhausenbergerdorff",
    "Popescu",
    "van den Berg",
    "Nielsen",
    "Rossi",
]
ROLES = ["attendee"] * 14 + ["speaker", "speaker", "organiser", "staff", "press"]


def log(message: str) -> None:
    print(message, flush=True)


def django_setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(database.parent / "media")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # Loaded before the clock starts, as in a Celery worker after its first run.
    import pypdf  # noqa: F401
    import weasyprint  # noqa: F401


# --- in the child processes ----------------------------------------------------------------------


def seed(database: Path, badges: int) -> None:
    django_setup(database)
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from agenda.models import Event, Venue
    from badges.models import Badge
    from badges.services import issue_missing_badges
    from members.enums import OrganisationType
    from members.models import Organisation, Person
    from registrations.models import PrivacyNotice, Registration

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    venue = Venue.objects.create(
        name="The Square", address="Mont des Arts", city="Brussels", country="BE"
    )
    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        slug="moving-talents",
        title="Moving Talents: Scaling up Action in Key Sectors",
        kind="conference",
        format="in_person",
        start=start,
        end=start + timedelta(days=1, hours=8),
        venue=venue,
        status="published",
    )
    types = [value for value, _ in OrganisationType.choices]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Labour Mobility Organisation {n}", type=types[n % len(types)], country="BE"
        )
        for n in range(60)
    )
    people = Person.objects.bulk_create(
        Person(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"attendee{n}@example.org",
            organisation=rng.choice(organisations),
            country=rng.choice(["BE", "FR", "PL", "GR", "BG", "MA", "SN"]),
        )
        for n in range(badges)
    )
    notice = PrivacyNotice.objects.create(version="1", text="Sample notice.")
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            event=event,
            person=person,
            status="confirmed",
            mode="in_person",
            privacy_notice=notice,
            privacy_accepted_at=now,
            photo_consent=rng.random() > 0.2,
        )
        for person in people
    )
    issue_missing_badges(event=event)
    for badge in Badge.objects.filter(event=event):
        role = rng.choice(ROLES)
        if role != "attendee":
            Badge.objects.filter(pk=badge.pk).update(role=role)


def first_attendee(database: Path) -> str:
    django_setup(database)
    from agenda.models import Event
    from badges.printing import PrintFilters, badges_to_print

    badge = badges_to_print(event=Event.objects.get(), filters=PrintFilters()).first()
    return badge.registration.person.last_name


def naive(database: Path, out: Path) -> tuple[float, float]:
    django_setup(database)
    from agenda.models import Event
    from badges.pdf import Layout, QrMode, badge_face, event_heading, render_badges
    from badges.printing import PrintFilters, badges_to_print

    started, cpu = time.perf_counter(), time.process_time()
    event = Event.objects.select_related("venue").get()
    faces = [badge_face(b) for b in badges_to_print(event=event, filters=PrintFilters())]
    pdf = render_badges(faces, heading=event_heading(event), layout=Layout.A4, qr=QrMode.INLINE_SVG)
    out.write_bytes(pdf)
    return time.perf_counter() - started, time.process_time() - cpu


def print_run(database: Path, out: Path) -> tuple[float, float]:
    django_setup(database)
    from agenda.models import Event
    from badges.models import PrintRun
    from badges.printing import run_print_run

    started, cpu = time.perf_counter(), time.process_time()
    run = PrintRun.objects.create(event=Event.objects.get())
    run = run_print_run(print_run_id=run.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out.write_bytes(Path(run.file.path).read_bytes())
    return seconds, cpu


# --- in the parent -------------------------------------------------------------------------------


def child(*args: str) -> tuple[dict, float]:
    """Runs this file with ``args`` in a new process: its JSON answer and its peak RSS in MiB."""
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {process.returncode}")
    return json.loads(output.splitlines()[-1]), usage.ru_maxrss / 1024


def check(pdf: Path, *, badges: int, first: str) -> list[str]:
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(
        next(line for line in pages.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    page_one = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    problems = []
    if count != math.ceil(badges / 4):
        problems.append(f"{pdf.name}: {count} pages, not {math.ceil(badges / 4)}")
    # Long names wrap on the badge: compare without the line breaks.
    if "".join(first.split()) not in "".join(page_one.split()):
        problems.append(f"{pdf.name}: page 1 does not carry {first!r}")
    return problems


def machine() -> dict:
    with open("/proc/cpuinfo") as handle:
        models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
    with open("/proc/meminfo") as handle:
        memory_kib = int(handle.readline().split()[1])
    return {
        "cores": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor() or "unknown",
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load": os.getloadavg()[0],
        **{name: version(name) for name in ("Django", "weasyprint", "pydyf", "pypdf", "segno")},
    }


def report(runs: list[dict], info: dict, *, badges: int, started: datetime, command: str) -> list:
    def median(kind: str, key: str) -> float:
        return statistics.median(run[key] for run in runs if run["kind"] == kind)

    naive_s, ours_s = median("naive", "seconds"), median("print_run", "seconds")
    naive_cpu, ours_cpu = median("naive", "cpu"), median("print_run", "cpu")
    naive_mib, ours_mib = median("naive", "peak_mib"), median("print_run", "peak_mib")
    each = {
        kind: ", ".join(f"{run['seconds']:.1f}" for run in runs if run["kind"] == kind)
        for kind in ("naive", "print_run")
    }
    from harness import commit

    ratio, cpu_ratio = ours_s / naive_s, ours_cpu / naive_cpu
    met = ratio <= TARGET_RATIO and ours_mib < TARGET_MIB
    return [
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}` "
        f"({len(runs) // 2} repeats), commit `{commit()}` plus whatever the working tree held.",
        "",
        f"- Machine: {info['cores']} cores ({info['cpu_model']}), {info['memory_gib']} GiB "
        f"memory, Linux {info['kernel']}, load average {info['load']:.1f} when it started; "
        "shared with other work, so read the ratios, not the absolute figures.",
        f"- Versions: Python {info['python']}, Django {info['Django']}, WeasyPrint "
        f"{info['weasyprint']}, pydyf {info['pydyf']}, pypdf {info['pypdf']}, segno "
        f"{info['segno']}.",
        "",
        f"| {badges:,} badges, A4 sheets of four | seconds (median) | each run | CPU seconds "
        "| peak memory |",
        "|---|---|---|---|---|",
        f"| naive: one WeasyPrint document, QR codes as inline SVG | {naive_s:.1f} s "
        f"| {each['naive']} | {naive_cpu:.1f} s | {naive_mib:.0f} MiB |",
        f"| print run (`run_print_run`) | **{ours_s:.1f} s** | {each['print_run']} "
        f"| {ours_cpu:.1f} s | **{ours_mib:.0f} MiB** |",
        f"| print run ÷ naive | **{ratio:.0%}** | | {cpu_ratio:.0%} | {ours_mib / naive_mib:.0%} |",
        "",
        f"The print run takes {ratio:.0%} of the naive render's time ({cpu_ratio:.0%} of its CPU "
        f"time; target: at most {TARGET_RATIO:.0%}) with a peak of {ours_mib:.0f} MiB (target: "
        f"under {TARGET_MIB} MB): {'met' if met else 'NOT met'}. Every output had "
        f"{math.ceil(badges / 4)} pages and carried the first attendee by last name on page 1.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--worker", choices=["seed", "first", "naive", "print_run"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.worker == "seed":
        seed(args.db, args.badges)
        print(json.dumps({}))
        return 0
    if args.worker == "first":
        print(json.dumps({"first": first_attendee(args.db)}))
        return 0
    if args.worker:
        work = naive if args.worker == "naive" else print_run
        seconds, cpu = work(args.db, args.out)
        print(json.dumps({"seconds": seconds, "cpu": cpu}))
        return 0

    started = datetime.now(UTC)
    info = machine()
    command = "python bench/print_run.py" + (
        f" --repeats {args.repeats}" if args.repeats != 3 else ""
    )
    with tempfile.TemporaryDirectory(prefix="print-run-") as folder:
        database = Path(folder) / "bench.sqlite3"
        log(f"Seeding {args.badges} attendees ...")
        child("--worker", "seed", "--db", str(database), "--badges", str(args.badges))
        first = child("--worker", "first", "--db", str(database))[0]["first"]
        runs, problems = [], []
        for repeat in range(1, args.repeats + 1):
            for kind in ("naive", "print_run"):
                out = Path(folder) / f"{kind}-{repeat}.pdf"
                answer, peak = child("--worker", kind, "--db", str(database), "--out", str(out))
                runs.append({"kind": kind, **answer, "peak_mib": peak})
                problems += check(out, badges=args.badges, first=first)
                log(
                    f"[{repeat}/{args.repeats}] {kind:10} {answer['seconds']:6.1f} s "
                    f"({answer['cpu']:.1f} s CPU) {peak:5.0f} MiB"
                )
    if problems:
        log("Wrong output:\n" + "\n".join(problems))
        return 1
    lines = report(runs, info, badges=args.badges, started=started, command=command)
    log("\n".join(lines))
    if not args.no_doc:
        from harness import write_section

        write_section("print_run", lines, heading="## Results: the 1,000-badge print run")
    met = "NOT met" not in lines[-1]
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())

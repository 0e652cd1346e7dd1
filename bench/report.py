"""Benchmark of the post-event report: an event of 1,000 registrations, 800 check-ins, 30 sessions.

    .venv/bin/python bench/report.py [--repeats 3] [--no-doc]

Seeds an SQLite database in a temporary folder with a two-day in-person conference: 1,000
confirmed registrations (people of 120 organisations of every type, in 24 countries, names in
several scripts), 800 of them checked in at the door, 30 sessions in up to three parallel tracks
with 40 speakers, scans at the parallel sessions and on the second day, a feedback survey that
about half of the attendees answered (an overall rating, session ratings, comments, a few
quoted), four documents and six photos. Then, each in a fresh Python process with Django loaded
(as a Celery worker after its first task), it runs ``reports.building.build_report`` as the task
does: count, draw the charts, lay out the PDF, write the workbook, store both files, swap them in.

Each process reports the seconds (and CPU seconds) of the build and of its stages; the kernel
reports its peak resident memory (``wait4``'s ``ru_maxrss``, loading included). Every output is
checked: the PDF's pages render (``pdftoppm``), its text carries the key figures, and the
workbook reads back 1,000 registered and 800 attended. Medians of the repeats go to the report's
section of ``docs/benchmarks.md``. Exit status: 0 when under the target of 10 seconds, 2 when
not, 1 when an output was wrong (then ``docs/benchmarks.md`` is left as it was).
"""

import argparse
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

TARGET_SECONDS = 10
REGISTRATIONS = 1000
CHECKED_IN = 800
SESSIONS = 30

COUNTRIES = [
    "BE", "FR", "DE", "NL", "IT", "ES", "PT", "PL", "RO", "BG", "GR", "SE",
    "DK", "FI", "IE", "AT", "CZ", "SK", "HR", "LT", "EE", "LV", "SI", "HU",
]  # fmt: skip
FIRST_NAMES = [
    "Ana", "Jean-Christophe", "Sofia", "Lars", "Agnieszka", "Miguel Ángel",
    "Αικατερίνη", "Йордан", "Fatou", "Olena", "Ioana", "Pieter",
]  # fmt: skip
LAST_NAMES = [
    "Novak", "Papadopoulou", "de La Rochefoucauld", "Kowalczyk", "García López", "Jensen",
    "Müller", "O'Brien", "Стефанов", "Diallo", "Popescu", "van den Berg",
]  # fmt: skip
COMMENTS = [
    "The employers' panel made it clear that we must involve companies from the start.",
    "Hearing how other agencies handle skills recognition gave me two ideas for our pilot.",
    "I am taking back a checklist for ethical recruitment that our partners asked for.",
    "More time for questions would have helped, but the content was excellent.",
]


def log(message: str) -> None:
    print(message, flush=True)


def django_setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(database.parent / "media")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- in the child processes ----------------------------------------------------------------------


def seed(database: Path) -> dict:
    django_setup(database)
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone
    from PIL import Image

    from agenda.enums import EventFormat, EventKind, EventStatus, SessionKind
    from agenda.models import Document, Event, Photo, Room, Session, SessionSpeaker, Speaker, Venue
    from badges.models import CheckIn
    from members.enums import OrganisationType
    from members.models import Organisation, Person
    from registrations.models import PrivacyNotice, Registration
    from reports.enums import SurveyQuestionKind
    from reports.feedback import add_standard_questions
    from reports.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    venue = Venue.objects.create(
        name="Square Brussels Meeting Centre", address="Mont des Arts", city="Brussels",
        country="BE",
    )  # fmt: skip
    rooms = [Room.objects.create(venue=venue, name=f"Room {n}", capacity=400) for n in range(4)]
    start = (timezone.now() - timedelta(days=20)).replace(hour=7, minute=0, second=0)
    event = Event.objects.create(
        slug="moving-talents",
        title="Moving Talents: Scaling up Action in Key Sectors (benchmark sample)",
        theme="Talent Partnerships",
        kind=EventKind.CONFERENCE,
        format=EventFormat.IN_PERSON,
        start=start,
        end=start + timedelta(days=1, hours=10),
        venue=venue,
        capacity_in_person=1100,
        registration_opens=start - timedelta(days=60),
        registration_closes=start - timedelta(days=2),
        status=EventStatus.PUBLISHED,
    )
    types = [value for value, _label in OrganisationType.choices]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Labour Mobility Organisation {n}",
            type=types[n % len(types)],
            country=COUNTRIES[n % len(COUNTRIES)],
        )
        for n in range(120)
    )
    people = Person.objects.bulk_create(
        Person(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"attendee{n}@example.org",
            organisation=rng.choice(organisations),
            country=rng.choice(COUNTRIES),
        )
        for n in range(REGISTRATIONS)
    )
    notice = PrivacyNotice.objects.create(version="1", text="Sample notice.")
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            person=person,
            status="confirmed",
            mode="in_person",
            privacy_notice=notice,
            privacy_accepted_at=start,
        )
        for person in people
    )
    for registration in registrations:
        registration.created_at = start - timedelta(days=60 * rng.betavariate(1, 2))
    Registration.objects.bulk_update(registrations, ["created_at"])

    # 30 sessions: day one with plenaries and three parallel tracks, day two plenaries.
    sessions, moment = [], start + timedelta(hours=1)
    while len(sessions) < SESSIONS:
        parallel = 3 if len(sessions) % 7 in (2, 3, 4) else 1
        for track in range(parallel):
            sessions.append(
                Session(
                    event=event,
                    title=f"Session {len(sessions) + 1}: skills, recruitment and mobility",
                    kind=SessionKind.WORKSHOP if parallel > 1 else SessionKind.PLENARY,
                    room=rooms[track],
                    start=moment,
                    end=moment + timedelta(minutes=50),
                )
            )
        moment += timedelta(hours=1)
        if moment.hour >= 18:
            moment = (moment + timedelta(days=1)).replace(hour=7)
    sessions = Session.objects.bulk_create(sessions[:SESSIONS])
    speakers = Speaker.objects.bulk_create(
        Speaker(slug=f"speaker-{n}", name=f"Speaker {n}", organisation=rng.choice(organisations))
        for n in range(40)
    )
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=session, speaker=speaker)
        for session in sessions
        for speaker in rng.sample(speakers, 2)
    )

    came = rng.sample(registrations, CHECKED_IN)
    checkins = [
        CheckIn(registration=r, event=event, at=start + timedelta(minutes=rng.uniform(0, 90)))
        for r in came
    ]
    slots: dict = {}
    for session in sessions:
        slots.setdefault(session.start, []).append(session)
    for group in slots.values():
        if len(group) > 1:
            checkins += [
                CheckIn(registration=r, event=event, session=rng.choice(group), at=group[0].start)
                for r in came
                if rng.random() < 0.85
            ]
    CheckIn.objects.bulk_create(checkins)

    survey = Survey.objects.create(event=event)
    questions = {q.kind: q for q in add_standard_questions(survey=survey)}
    responses = SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, registration=r, invited_at=event.end, submitted_at=event.end)
        for r in came
        if rng.random() < 0.5
    )
    answers = []
    for number, response in enumerate(responses):
        answers.append(
            SurveyAnswer(
                response=response,
                question=questions[SurveyQuestionKind.OVERALL_RATING],
                rating=rng.choice([3, 4, 4, 5, 5]),
            )
        )
        answers += [
            SurveyAnswer(
                response=response,
                question=questions[SurveyQuestionKind.SESSION_RATINGS],
                session=session,
                rating=rng.choice([2, 3, 4, 4, 5, 5]),
            )
            for session in rng.sample(sessions, 6)
        ]
        if number % 4 == 0:
            answers.append(
                SurveyAnswer(
                    response=response,
                    question=SurveyQuestion.objects.filter(
                        survey=survey, kind=SurveyQuestionKind.LONG_TEXT
                    ).first(),
                    text=rng.choice(COMMENTS),
                    featured=number < 16,
                )
            )
    SurveyAnswer.objects.bulk_create(answers)

    for n in range(4):
        Document.objects.create(
            event=event,
            title=f"Conference document {n + 1}",
            file=ContentFile(b"%PDF-1.4 sample", name=f"document-{n}.pdf"),
            description="Sample document.",
        )
    for n in range(6):
        image = Image.new("RGB", (3000, 2000), (30 + 30 * n, 80, 140))
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=90)
        Photo.objects.create(
            event=event,
            image=ContentFile(output.getvalue(), name=f"photo-{n}.jpg"),
            alt_text=f"Sample photo {n + 1}",
            caption=f"Sample photo {n + 1} (benchmark)",
        )
    return {"sessions": len(sessions), "checkins": len(came), "answers": len(answers)}


def build(database: Path) -> dict:
    django_setup(database)
    # Loaded before the clock starts, as in a Celery worker after its first report.
    import matplotlib.figure  # noqa: F401
    import weasyprint  # noqa: F401
    from django.utils import timezone

    from agenda.models import Event
    from reports import building, charts, figures, pdf, xlsx  # noqa: F401
    from reports.models import Report

    # The build announces each stage as it starts; each stage's time runs until the next one.
    stages: dict[str, float] = {}
    marks = {"t": time.perf_counter(), "stage": "figures"}
    original = building._progress

    def timed(report_id, attempt):
        save = original(report_id, attempt)

        def record(stage: str) -> None:
            now = time.perf_counter()
            stages[marks["stage"]] = now - marks["t"]
            marks["t"], marks["stage"] = now, stage
            save(stage)

        return record

    building._progress = timed
    report, _ = Report.objects.update_or_create(
        event=Event.objects.get(), defaults={"status": "queued", "requested_at": timezone.now()}
    )
    Report.objects.filter(pk=report.pk).update(attempt=report.attempt + 1)
    started, cpu = time.perf_counter(), time.process_time()
    marks["t"] = started
    done = building.build_report(report_id=report.pk, attempt=report.attempt + 1)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stages[marks["stage"]] = time.perf_counter() - marks["t"]
    if done.status != "done":
        raise SystemExit(f"report {done.status}: {done.error}")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "stages": stages,
        "pdf": done.pdf.path,
        "xlsx": done.xlsx.path,
    }


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


def check(pdf: Path, xlsx: Path, folder: Path) -> list[str]:
    from openpyxl import load_workbook

    problems = []
    rendered = folder / "pages"
    rendered.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(rendered / "p")], check=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    pages = int(line.split()[1])
    if len(list(rendered.glob("p-*.png"))) != pages or pages < 8:
        problems.append(f"{pdf.name}: {pages} pages, not all rendered")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    wanted = f"{CHECKED_IN} people attended out of {REGISTRATIONS:,} registered"
    if wanted not in text:
        problems.append(f"{pdf.name}: no “{wanted}”")
    sheet = load_workbook(xlsx, read_only=True)["Summary"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    if (figures.get("Registered"), figures.get("Attended")) != (REGISTRATIONS, CHECKED_IN):
        problems.append(f"{xlsx.name}: {figures.get('Registered')} / {figures.get('Attended')}")
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
        **{name: version(name) for name in ("Django", "weasyprint", "matplotlib", "openpyxl")},
    }


STAGE_NAMES = {
    "figures": "counting (figures)",
    "charts": "charts (Matplotlib, SVG)",
    "pdf": "PDF layout and writing (WeasyPrint)",
    "xlsx": "workbook (openpyxl)",
    "saving": "storing the files and swapping them in",
}


def report(runs: list[dict], info: dict, *, seed_info: dict, started: datetime, command: str):
    from harness import commit

    seconds = statistics.median(run["seconds"] for run in runs)
    cpu = statistics.median(run["cpu"] for run in runs)
    peak = statistics.median(run["peak_mib"] for run in runs)
    each = ", ".join(f"{run['seconds']:.1f}" for run in runs)
    met = seconds < TARGET_SECONDS
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}` ({len(runs)} repeats), commit "
        f"`{commit()}` plus whatever the working tree held.",
        "",
        f"- Machine: {info['cores']} cores ({info['cpu_model']}), {info['memory_gib']} GiB "
        f"memory, Linux {info['kernel']}, load average {info['load']:.1f} when it started; "
        "shared with other work.",
        f"- Versions: Python {info['python']}, Django {info['Django']}, WeasyPrint "
        f"{info['weasyprint']}, Matplotlib {info['matplotlib']}, openpyxl {info['openpyxl']}.",
        f"- Event: {REGISTRATIONS:,} confirmed registrations, {CHECKED_IN} checked in, "
        f"{seed_info['sessions']} sessions, {seed_info['answers']:,} survey answers, "
        "6 photos (3000 × 2000 JPEG).",
        "",
        "| the report's build (`build_report`) | median | each run |",
        "|---|---|---|",
        f"| seconds | **{seconds:.1f} s** | {each} |",
        f"| CPU seconds | {cpu:.1f} s | " + ", ".join(f"{run['cpu']:.1f}" for run in runs) + " |",
        f"| peak memory (whole process) | **{peak:.0f} MiB** | "
        + ", ".join(f"{run['peak_mib']:.0f}" for run in runs)
        + " |",
    ]
    for key, name in STAGE_NAMES.items():
        values = [run["stages"].get(key, 0.0) for run in runs]
        lines.append(
            f"| {name} | {statistics.median(values):.2f} s | "
            + ", ".join(f"{v:.2f}" for v in values)
            + " |"
        )
    lines += [
        "",
        f"The report takes {seconds:.1f} s (target: under {TARGET_SECONDS} s): "
        f"{'met' if met else 'NOT met'}. Every PDF's pages rendered, its text carried "
        f"“{CHECKED_IN} people attended out of {REGISTRATIONS:,} registered”, and every "
        "workbook read back the same numbers.",
    ]
    return lines, met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--worker", choices=["seed", "build"])
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()

    if args.worker == "seed":
        print(json.dumps(seed(args.db)))
        return 0
    if args.worker == "build":
        print(json.dumps(build(args.db)))
        return 0

    started = datetime.now(UTC)
    info = machine()
    command = "python bench/report.py" + (f" --repeats {args.repeats}" if args.repeats != 3 else "")
    with tempfile.TemporaryDirectory(prefix="report-") as folder:
        database = Path(folder) / "bench.sqlite3"
        log(f"Seeding an event of {REGISTRATIONS:,} registrations ...")
        seed_info = child("--worker", "seed", "--db", str(database))[0]
        runs, problems = [], []
        for repeat in range(1, args.repeats + 1):
            answer, peak = child("--worker", "build", "--db", str(database))
            runs.append({**answer, "peak_mib": peak})
            problems += check(Path(answer["pdf"]), Path(answer["xlsx"]), Path(folder))
            stages = " ".join(f"{k} {v:.2f}" for k, v in answer["stages"].items())
            log(
                f"[{repeat}/{args.repeats}] {answer['seconds']:6.1f} s ({answer['cpu']:.1f} s CPU)"
                f" {peak:5.0f} MiB   {stages}"
            )
    if problems:
        log("Wrong output:\n" + "\n".join(problems))
        return 1
    lines, met = report(runs, info, seed_info=seed_info, started=started, command=command)
    log("\n".join(lines))
    if not args.no_doc:
        from harness import write_section

        write_section("report", lines, heading="## Results: the post-event report")
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())

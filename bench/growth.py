"""Benchmark of how the costs grow with the registrations of an event, on the production stack.

``make bench-growth`` runs it (and ``make bench``). It needs PostgreSQL and Redis on 127.0.0.1
and wrk, and takes about five minutes on a quiet machine. The site runs on the production stack
(``bench/harness.py``: gunicorn with ``gunicorn.conf.py``, Redis as broker and cache, the Celery
worker and beat sending the emails meanwhile). For events holding 100, 1,000 and 10,000
registrations (``bench/build_growth.py``, built in bulk once per run into the template), each
repeat measures, from a fresh copy of the template and with 16 concurrent clients:

- ``GET /ping`` and ``POST /scan/`` on the bare Django project in ``bench/reference``;
- per size, on one server: the organisers' list (``GET /api/v1/organiser/registrations/
  ?event=<slug>``, first page, with an organiser's API token) and the offline check-in list
  (``GET /api/v1/events/<slug>/checkin-list/``, with a device's token) of an event of that size,
  half of it checked in; check-in scans of badges not yet checked in at such events; one more
  registration through the public API at events of that size with seats left; and at full
  events, where it is waitlisted.

Writes add at most a tenth of an event's size to it: they are spread over as many events of the
size as that takes. The sizes go up in odd repeats and down in even ones. After each run the
database is counted (see ``check_*`` below); after the repeat, every outbox email must have been
sent exactly once. Exit status: 0 when every run
answered rightly, 1 otherwise (then ``docs/benchmarks.md`` is left as it was).
"""

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from harness import (
    BENCH,
    DOC,
    PYTHON,
    REFERENCES,
    ROOT,
    BenchError,
    Databases,
    Load,
    collect_static,
    flush_redis,
    header_lines,
    is_noisy,
    load_table,
    log,
    log_run,
    machine,
    measure_reference,
    noise_paragraph,
    ratio_of_repeats,
    require_wrk,
    run,
    services_table,
    session,
    site_env,
    site_server,
    socket_problems,
    stack_lines,
    status_problems,
    summarise,
    write_raw,
    write_section,
)

NAME = "growth"
DATABASES = Databases("growth")
COMMAND = "make bench-growth"
STACK = "production"
SIZES = (100, 1000, 10000)
# Per timed run: registrations (seat left, and waitlisted) and first scans, whatever the size.
REGISTRATIONS = 200
SCANS = 400
WARM_REGISTRATIONS = 60
WARM_SCANS = 100
DEVICES = 16
ORGANISATIONS = 50
# The read runs: a warm-up of two requests per gunicorn worker, then about --seconds of
# requests at the warm-up's rate, at least this many.
READ_WARMUP = 6
MIN_READS = 24
TIME_CAP = 120
SEND_TIME_CAP = 300
PAGE_SIZE = 50
CHECKIN_PATH = "/api/v1/checkin/"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    writes: bool


KINDS = [
    Kind("list", "organisers' list, first page", writes=False),
    Kind("offline", "offline check-in list", writes=False),
    Kind("scan", "check-in scan", writes=True),
    Kind("register", "registration, seat left", writes=True),
    Kind("waitlist", "registration, waitlisted", writes=True),
]


def target(kind: str, size: int) -> str:
    return f"{kind}-{size}"


def labels_for(sizes: list[int]) -> dict[str, str]:
    labels = {reference.key: reference.label for reference in REFERENCES}
    for kind in KINDS:
        for size in sizes:
            labels[target(kind.key, size)] = f"{kind.label}, {size:,}"
    return labels


def api_path(slug: str) -> str:
    return f"/api/v1/events/{slug}/registrations/"


# ----------------------------------------------------------------------------------------------
# Correctness


def count_in(sql: str, slugs: list[str]) -> list[tuple]:
    return DATABASES.rows(sql, (slugs,))


def slugs_of(made_kind: dict) -> list[str]:
    return [event["slug"] for event in made_kind["events"]]


def same_size_problems(load: dict) -> list[str]:
    """A read answers the same document every time: the responses' sizes barely move."""
    if load["min_len"] < load["max_len"] * 0.98:
        return [f"responses of {load['min_len']:,} to {load['max_len']:,} bytes"]
    return []


def check_list(base: str, *, slug: str, size: int, token: str, load: dict) -> list[str]:
    """Every answer 200; the first page holds 50 of the event's registrations, all counted."""
    problems = socket_problems(load) + status_problems(load, 200) + same_size_problems(load)
    answer = httpx.get(
        f"{base}/api/v1/organiser/registrations/",
        params={"event": slug},
        headers={"Authorization": f"Token {token}"},
        timeout=60,
    )
    if answer.status_code != 200:
        return [*problems, f"the list answered {answer.status_code}"]
    body = answer.json()
    results = body.get("results", [])
    if body.get("count") != size or len(results) != min(size, PAGE_SIZE):
        problems.append(f"the list counted {body.get('count')} and showed {len(results)}")
    if {row["event"] for row in results} != {slug}:
        problems.append("the list showed registrations of another event")
    return problems


def check_offline(
    base: str, *, slug: str, size: int, checked_in: int, token: str, load: dict
) -> list[str]:
    """Every answer 200; the list holds every badge of the event, those checked in marked."""
    problems = socket_problems(load) + status_problems(load, 200) + same_size_problems(load)
    answer = httpx.get(
        f"{base}/api/v1/events/{slug}/checkin-list/",
        headers={"Authorization": f"Device {token}"},
        timeout=60,
    )
    if answer.status_code != 200:
        return [*problems, f"the offline list answered {answer.status_code}"]
    entries = answer.json().get("entries", [])
    confirmed = sum(1 for entry in entries if entry.get("status") == "confirmed")
    marked = sum(1 for entry in entries if entry.get("checked_in_at"))
    if len(entries) != size or confirmed != size or marked != checked_in:
        problems.append(
            f"the offline list held {len(entries)} entries, {confirmed} confirmed, {marked} "
            f"checked in; expected {size}, {size}, {checked_in}"
        )
    return problems


def check_scans(made_kind: dict, *, load: dict, scans: int) -> list[str]:
    """Every scan checked someone in; one check-in and one scan log entry per badge, no more."""
    problems = socket_problems(load) + status_problems(load, 200)
    if load["kinds"] != {"checked_in": load["final"]}:
        problems.append(f"answers {load['kinds']}, expected {load['final']} × checked_in")
    slugs = slugs_of(made_kind)
    expected = len(slugs) * made_kind["checked_in"] + scans
    checkins, registrations, badges = count_in(
        "SELECT count(*), count(DISTINCT c.registration_id), count(DISTINCT c.badge_id)"
        " FROM badges_checkin c JOIN agenda_event e ON e.id = c.event_id"
        " WHERE e.slug = ANY(%s) AND c.undone_at IS NULL",
        slugs,
    )[0]
    if not checkins == registrations == badges == expected:
        problems.append(
            f"{checkins} check-ins of {registrations} registrations with {badges} badges; "
            f"expected {expected}"
        )
    logged = count_in(
        "SELECT count(*) FROM badges_scanlog l JOIN agenda_event e ON e.id = l.event_id"
        " WHERE e.slug = ANY(%s)",
        slugs,
    )[0][0]
    if logged != expected:
        problems.append(f"{logged} scan log entries; expected {expected}")
    return problems


def check_registrations(made_kind: dict, *, load: dict, registrations: int, status: str) -> list:
    """Every answer 201 with ``status``; the events hold what they held plus the new ones, the
    seats never exceeded; one audit entry and one outbox email per new registration; the
    waitlisted answered each position behind the waitlist there was, once."""
    problems = socket_problems(load) + status_problems(load, 201)
    if load["kinds"] != {status: registrations}:
        problems.append(f"answers {load['kinds']}, expected {registrations} × {status}")
    slugs = slugs_of(made_kind)
    rows = count_in(
        "SELECT e.slug, count(*) FILTER (WHERE r.status = 'confirmed'),"
        " count(*) FILTER (WHERE r.status = 'waitlisted'), count(*)"
        " FROM registrations_registration r JOIN agenda_event e ON e.id = r.event_id"
        " WHERE e.slug = ANY(%s) GROUP BY e.slug",
        slugs,
    )
    confirmed = sum(row[1] for row in rows)
    waitlisted = sum(row[2] for row in rows)
    total = sum(row[3] for row in rows)
    before = len(slugs) * (made_kind["confirmed"] + made_kind["waitlisted"])
    if total != before + registrations:
        problems.append(f"{total} registrations; expected {before} + {registrations}")
    seats = made_kind["seats"]
    over = [slug for slug, held, _w, _t in rows if seats is not None and held > seats]
    if over:
        problems.append(f"{len(over)} events over their seat limit")
    if status == "waitlisted":
        if confirmed != len(slugs) * made_kind["confirmed"]:
            problems.append(f"{confirmed} confirmed; a waitlisted registration took a seat")
        expected = sorted(
            position
            for _slug, _c, held, _t in rows
            for position in range(made_kind["waitlisted"] + 1, held + 1)
        )
        if sorted(load["positions"]) != expected:
            problems.append(
                f"answered waitlist positions {len(load['positions'])}, not those behind the "
                "waitlist of each event, each once"
            )
    elif waitlisted != len(slugs) * made_kind["waitlisted"]:
        problems.append(
            f"{waitlisted} waitlisted; a registration with a seat left was not given it"
        )
    audits, emails = DATABASES.rows(
        "SELECT (SELECT count(*) FROM registrations_auditentry a"
        "  JOIN registrations_registration r ON r.id = a.registration_id"
        "  JOIN agenda_event e ON e.id = r.event_id WHERE e.slug = ANY(%(s)s)),"
        " (SELECT count(*) FROM registrations_outboxemail o"
        "  JOIN registrations_registration r ON r.id = o.registration_id"
        "  JOIN agenda_event e ON e.id = r.event_id WHERE e.slug = ANY(%(s)s))",
        {"s": slugs},
    )[0]
    if audits != total or emails != registrations:
        problems.append(
            f"{audits} audit entries for {total} registrations, {emails} outbox emails for "
            f"{registrations} new ones"
        )
    return problems


# ----------------------------------------------------------------------------------------------
# One repeat of the site


def read_load(path: str, requests: int, header: str) -> Load:
    return Load(path, requests, time_cap=TIME_CAP, headers=(header,))


def measure_read(server, *, path: str, header: str, seconds: float, clients: int) -> dict:
    warm = server.load(read_load(path, READ_WARMUP, header), clients=clients)
    requests = max(MIN_READS, round(warm["responses"] / warm["elapsed"] * seconds))
    return server.measure(read_load(path, requests, header), clients=clients)


def measure_site(
    *,
    env: dict[str, str],
    made: dict,
    secrets: dict,
    sizes: list[int],
    seconds: float,
    clients: int,
    out: Path,
    repeat: int,
    record: Callable[[dict], dict],
) -> None:
    """Measures one repeat; ``record`` takes each run as it ends.

    The sizes go up in odd repeats and down in even ones, so that what a server does early (or
    late) in its life weighs on every size alike.
    """
    DATABASES.fresh_copy()
    results = {}
    organiser = f"Authorization: Token {secrets['organiser_token']}"
    device = f"Authorization: Device {secrets['device_token']}"
    with site_server(env, stack=STACK, databases=DATABASES, out=out, tag="site") as server:
        server.load(
            Load(
                api_path(made["warm_register"]["slug"]),
                WARM_REGISTRATIONS,
                "register",
                ("warm", str(ORGANISATIONS)),
                TIME_CAP,
            ),
            clients=clients,
        )
        server.load(
            Load(CHECKIN_PATH, WARM_SCANS, "checkin", (made["codes_warm"], "warm"), TIME_CAP),
            clients=clients,
        )
        for size in sizes if repeat % 2 else sizes[::-1]:
            grown = made["sizes"][str(size)]
            door = grown["checkin"]
            slug = door["events"][0]["slug"]
            listed = measure_read(
                server,
                path=f"/api/v1/organiser/registrations/?event={slug}",
                header=organiser,
                seconds=seconds,
                clients=clients,
            )
            listed["problems"] = check_list(
                server.base,
                slug=slug,
                size=size,
                token=secrets["organiser_token"],
                load=listed["load"],
            )
            offline = measure_read(
                server,
                path=f"/api/v1/events/{slug}/checkin-list/",
                header=device,
                seconds=seconds,
                clients=clients,
            )
            offline["problems"] = check_offline(
                server.base,
                slug=slug,
                size=size,
                checked_in=door["checked_in"],
                token=secrets["device_token"],
                load=offline["load"],
            )
            scans = server.measure(
                Load(
                    CHECKIN_PATH,
                    SCANS,
                    "checkin",
                    (door["codes_file"], f"scan-{size}"),
                    TIME_CAP,
                ),
                clients=clients,
            )
            scans["problems"] = check_scans(door, load=scans["load"], scans=SCANS)
            written = {}
            for kind, status in (("register", "confirmed"), ("waitlist", "waitlisted")):
                events = grown[kind]
                result = server.measure(
                    Load(
                        api_path(events["events"][0]["slug"]),
                        REGISTRATIONS,
                        "register",
                        (f"grow-{kind}-{size}", str(ORGANISATIONS), events["paths_file"]),
                        TIME_CAP,
                    ),
                    clients=clients,
                )
                result["problems"] = check_registrations(
                    events, load=result["load"], registrations=REGISTRATIONS, status=status
                )
                written[kind] = result
            for kind, result in (
                ("list", listed),
                ("offline", offline),
                ("scan", scans),
                ("register", written["register"]),
                ("waitlist", written["waitlist"]),
            ):
                key = target(kind, size)
                results[key] = record({"target": key, "size": size, **result})
        services = server.services
        drained = services.drain(cap=SEND_TIME_CAP)
        drained.update(services.since_ready())
    emails, problems = services.check_emails()
    if drained["drain_pending_left"]:
        problems.append(
            f"{drained['drain_pending_left']} emails still pending {SEND_TIME_CAP} s after the runs"
        )
    # The repeat's email figures and checks go with one run of the site, the same every repeat.
    first = results[target(KINDS[0].key, min(sizes))]
    first.update(drained, **emails)
    first["problems"] += problems
    if problems:
        log(f"  PROBLEMS after the repeat: {problems}")


# ----------------------------------------------------------------------------------------------
# Report

GROWTH_FIGURES = [
    ("requests_per_second", "requests/s", "{:,.0f}"),
    ("p50_ms", "p50 ms", "{:,.1f}"),
    ("p99_ms", "p99 ms", "{:,.1f}"),
    ("server_cpu_ms_per_request", "server CPU ms/request", "{:,.2f}"),
    ("database_cpu_ms_per_request", "PostgreSQL CPU ms/request", "{:,.2f}"),
]


def growth_table(summary: dict, runs: list[dict], sizes: list[int]) -> list[str]:
    """Per kind and size: each figure beside /scan/'s of the same run; then largest/smallest."""
    header = ["run", "registrations in the event"]
    for _name, title, _style in GROWTH_FIGURES:
        header += [title, "vs /scan/"]
    rows = ["| " + " | ".join(header) + " |", "|---|" + "--:|" * (len(header) - 1)]
    scan = summary["scan"]
    for kind in KINDS:
        for size in sizes:
            s = summary[target(kind.key, size)]
            cells = [kind.label, f"{size:,}"]
            for name, _title, style in GROWTH_FIGURES:
                cells.append(style.format(s[name]))
                cells.append(f"{s[name] / scan[name]:.2f}x" if scan[name] else "n/a")
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def ratio_table(runs: list[dict], sizes: list[int]) -> list[str]:
    """How each figure moved from the smallest to the largest events (median of the repeats'
    ratios, each within one repeat)."""
    small, large = min(sizes), max(sizes)
    header = ["run", *(f"{title}: {large:,} / {small:,}" for _n, title, _s in GROWTH_FIGURES)]
    rows = ["| " + " | ".join(header) + " |", "|---|" + "--:|" * (len(header) - 1)]
    for kind in KINDS:
        cells = [kind.label]
        for name, _title, _style in GROWTH_FIGURES:
            value = ratio_of_repeats(runs, target(kind.key, large), target(kind.key, small), name)
            cells.append(f"{value:.2f}x")
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def results_lines(
    *,
    summary: dict,
    runs: list[dict],
    info: dict,
    args,
    sess,
    env: dict[str, str],
    made: dict,
    sizes: list[int],
) -> list[str]:
    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    labels = labels_for(sizes)
    first = summary[target(KINDS[0].key, sizes[0])]
    repeats = len({r["repeat"] for r in runs})
    events = {
        kind: ", ".join(
            f"{len(made['sizes'][str(size)][kind]['events'])} of {size:,}" for size in sizes
        )
        for kind in ("register", "waitlist", "checkin")
    }
    return [
        *header_lines(
            info=info,
            command=COMMAND,
            repeats=args.repeats,
            started=sess.started,
            duration=sess.duration,
        ),
        *stack_lines(STACK, env),
        f"- Data (`bench/build_growth.py`, {made['registrations']:,} registrations, "
        f"{made['badges']:,} badges and {made['checkins']:,} check-ins built in "
        f"{made['seconds']:.1f} s): events with seats left ({events['register']}), full "
        f"events with a tenth of their size waitlisted ({events['waitlist']}), events with "
        f"every registration's badge and half of them checked in ({events['checkin']}); each "
        "registration with its audit entry.",
        f"- Load: {args.clients} connections, wrk `-t1`. Per size: {REGISTRATIONS} "
        f"registrations with a seat left and {REGISTRATIONS} waitlisted, each its own person "
        f"and client address, and {SCANS} first scans, spread over the events of that size "
        "so that none grows by more than a tenth; the reads about "
        f"{args.seconds:g} s each (at least {MIN_READS} requests) after {READ_WARMUP} "
        "requests of warm-up; the site warmed up with "
        f"{WARM_REGISTRATIONS} registrations and {WARM_SCANS} scans at two other events.",
        f"- Emails: the worker sent {first['worker_emails_sent']:,.0f} emails a repeat, "
        f"{first['worker_cpu_ms_per_email']:.1f} ms of its CPU each, the last "
        f"{first['drain_seconds']:.1f} s after the runs (medians of the repeats).",
        "",
        noise_paragraph(summary, info["cores"], COMMAND),
        "",
        "Medians of the repeats; each ratio is against the `/scan/` reference measured in the "
        "same repeat (for latency and CPU a ratio above 1 means more).",
        "",
        *growth_table(summary, runs, sizes),
        "",
        f"How each figure grew from events of {min(sizes):,} to events of {max(sizes):,} "
        "registrations (the median of the repeats' ratios):",
        "",
        *ratio_table(runs, sizes),
        "",
        *load_table(summary, labels),
        "",
        *services_table(summary, labels),
        "",
        "Correctness, checked after every run: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"In each of the {repeats} repeats: the organisers' list answered 200 every time with "
        "the same size, counted all the event's registrations and showed the first 50, all of "
        "that event; the offline list answered 200 every time with the same size and held "
        "every badge of the event, confirmed, half of them checked in; every scan answered "
        '"checked_in", and the events held one check-in and one scan log entry per badge '
        "checked in, before and during the run, no more; every registration with a seat left "
        'answered 201 "confirmed" and every other 201 "waitlisted" with the positions behind '
        "each event's waitlist, each once; the events held what they held plus the new "
        "registrations, none over its seat limit, with one audit entry per registration and one "
        "outbox email per new one; after the runs, every outbox email sent, in one attempt, and "
        "received by the mail server exactly once.",
    ]


# ----------------------------------------------------------------------------------------------


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3, help="length of each read run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--sizes", default=",".join(str(size) for size in SIZES), help="registrations per event"
    )
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


def main() -> int:
    args = parse()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    if not require_wrk():
        return 1
    labels = labels_for(sizes)
    runs: list[dict] = []
    with session(NAME, DATABASES, keep=args.keep) as sess:
        tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-"))
        env = site_env(
            tmp,
            DATABASES,
            stack=STACK,
            API_RATE_REGISTRATION="100000000/minute",
            API_RATE_USER="100000000/minute",
        )
        files = tmp / "growth"
        try:
            info = machine()
            log(f"Preparing: template database, events of {', '.join(map(str, sizes))}")
            template_env = DATABASES.create_template(env)
            made = json.loads(
                run(
                    [
                        str(PYTHON),
                        str(BENCH / "build_growth.py"),
                        ",".join(map(str, sizes)),
                        str(REGISTRATIONS),
                        str(SCANS),
                        str(WARM_SCANS),
                        str(DEVICES),
                    ],
                    env={**template_env, "BENCH_GROWTH_FILES": str(files)},
                )
            )
            secrets = json.loads(Path(made["secrets_file"]).read_text())
            log(
                f"  built {made['registrations']:,} registrations, {made['badges']:,} badges, "
                f"{made['checkins']:,} check-ins in {made['seconds']:.1f} s"
            )
            collect_static(env)
            flush_redis()
            for repeat in range(1, args.repeats + 1):
                for reference in REFERENCES:
                    result = measure_reference(
                        reference,
                        databases=DATABASES,
                        seconds=args.seconds,
                        clients=args.clients,
                        log_path=sess.out / f"gunicorn-{reference.key}.log",
                        stack=STACK,
                    )
                    runs.append(log_run(labels[reference.key], result, repeat, args.repeats))

                def record(result: dict, repeat: int = repeat) -> dict:
                    runs.append(log_run(labels[result["target"]], result, repeat, args.repeats))
                    return result

                measure_site(
                    env=env,
                    made=made,
                    secrets=secrets,
                    sizes=sizes,
                    seconds=args.seconds,
                    clients=args.clients,
                    out=sess.out,
                    repeat=repeat,
                    record=record,
                )
        except BenchError as error:
            log(f"BENCHMARK FAILED: {error}")
            return 1
        finally:
            # The codes and tokens open the sample events' doors and list; nothing else needs
            # them.
            shutil.rmtree(tmp, ignore_errors=True)

        summary = summarise(runs, list(labels))
        write_raw(sess.out, machine=info, made=made, runs=runs, summary=summary)
        for kind in KINDS:
            cpu = [summary[target(kind.key, size)]["server_cpu_ms_per_request"] for size in sizes]
            log(
                f"{kind.label}: server CPU ms/request "
                + " → ".join(f"{value:.2f}" for value in cpu)
                + f" ({', '.join(f'{size:,}' for size in sizes)})"
            )
        if is_noisy(summary):
            log(f"WARNING: other work used {summary['ping']['other_cpu_cores']:.1f} cores "
                "during /ping: noisy run.")  # fmt: skip
        failures = [p for r in runs for p in r["problems"]]
        if failures:
            log("BENCHMARK FAILED: wrong answers: " + "; ".join(failures))
            log(f"docs/benchmarks.md left unchanged; raw results in {sess.out}")
            return 1
        lines = results_lines(
            summary=summary,
            runs=runs,
            info=info,
            args=args,
            sess=sess,
            env=env,
            made=made,
            sizes=sizes,
        )
        if args.no_doc:
            log("\n".join(lines))
        else:
            write_section(NAME, lines, heading="## Results: growth")
            log(f"Wrote {DOC.relative_to(ROOT)}; raw results in {sess.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

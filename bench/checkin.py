"""Benchmark of the check-in API under gunicorn, beside the bare-Django references.

``make bench-checkin`` runs it. It needs PostgreSQL and Redis on 127.0.0.1 and wrk, and takes
about three minutes. Each repeat measures, in turn and each from a fresh copy of a seeded
database, with 16 concurrent clients (16 scanner devices):

- ``GET /ping`` and ``POST /scan/`` on the bare Django project in ``bench/reference``;
- the door: ``POST /api/v1/checkin/`` with ``Authorization: Device <token>``, each request
  another badge's code and its own idempotency key, as a door scans each badge once: every
  answer "checked_in";
- then, on the same server, the same badges scanned again: every answer "already_checked_in".

The seeded event has confirmed in-person registrations, each with a badge issued by
``badges.services.issue_badge``, and 16 devices made by ``badges.services.create_device``.
After each pass the database is counted: exactly one check-in per scanned badge, as many as
the distinct badges scanned, and one scan log entry per scan.

``--stack production`` (``make bench``, ``make bench-checkin-production``) runs the same storm
on the production stack (``bench/harness.py``): gunicorn with ``gunicorn.conf.py``, Redis as
broker and cache, the Celery worker and beat running beside it and measured; after the runs,
every outbox email (none is expected from check-ins) must have been sent exactly once. Its
results go to their own section.

Exit status: 0 when the target is met, 2 when not, 1 when a run answered wrongly (then
``docs/benchmarks.md`` is left as it was).
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from harness import (
    BENCH,
    DOC,
    PYTHON,
    REFERENCES,
    ROOT,
    STACKS,
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
    main_table,
    measure_reference,
    noise_paragraph,
    parse_arguments,
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

NAME = "checkin"
DATABASES = Databases("checkin")
COMMANDS = {"bench": "make bench-checkin", "production": "make bench-checkin-production"}
SECTIONS = {
    "bench": (NAME, "## Results: check-in", ""),
    "production": (
        f"{NAME}_production",
        "## Results: check-in on the production stack",
        "bench/checkin.py --stack production",
    ),
}
# Emails the worker may still be sending when the runs end, at most this many seconds.
SEND_TIME_CAP = 120
PATH = "/api/v1/checkin/"
DEVICES = 16
# Badges scanned in a timed pass at most; a pass scans as many as about --seconds take at the
# warm-up's rate.
BADGES = 4000
WARMUP = 300
MIN_SCANS = 500
TARGET_SHARE_OF_SCAN = 0.5
TARGET_P99_MS = 30
LABELS = {
    **{reference.key: reference.label for reference in REFERENCES},
    "first": "check-in: each badge once",
    "again": "check-in: already checked in",
}


# ----------------------------------------------------------------------------------------------
# Correctness


def check_pass(*, event_id: int, load: dict, result: str, checked_in: int, logged: int) -> dict:
    """Every answer was ``result``; one check-in per badge scanned, none twice."""
    problems = socket_problems(load) + status_problems(load, 200)
    if load["kinds"] != {result: load["final"]}:
        problems.append(f"answers {load['kinds']}, expected {load['final']} × {result}")
    checkins, registrations, badges = DATABASES.rows(
        "SELECT count(*), count(DISTINCT registration_id), count(DISTINCT badge_id)"
        " FROM badges_checkin WHERE event_id = %s AND undone_at IS NULL",
        (event_id,),
    )[0]
    if not checkins == registrations == badges == checked_in:
        problems.append(
            f"{checkins} check-ins of {registrations} registrations with {badges} badges; "
            f"{checked_in} badges scanned"
        )
    scans, scanned = DATABASES.rows(
        "SELECT count(*), count(DISTINCT code_hash) FROM badges_scanlog WHERE event_id = %s",
        (event_id,),
    )[0]
    if scans != logged or scanned != checked_in:
        problems.append(f"{scans} scans logged of {scanned} badges; {logged} sent")
    return {"problems": problems, "checkins": checkins, "scans_logged": scans}


# ----------------------------------------------------------------------------------------------
# One repeat of the site


def measure_site(
    *,
    env: dict[str, str],
    made: dict,
    codes: Path,
    seconds: float,
    clients: int,
    out: Path,
    stack: str,
) -> list[dict]:
    DATABASES.fresh_copy()
    event_id = made["event"]["id"]
    warm_file = str(codes) + ".warm"
    with site_server(env, stack=stack, databases=DATABASES, out=out, tag="site") as server:
        warm = server.load(Load(PATH, WARMUP, "checkin", (warm_file, "warm")), clients=clients)
        rate = warm["responses"] / warm["elapsed"]
        scans = min(BADGES, max(MIN_SCANS, round(rate * seconds)))
        first = server.measure(Load(PATH, scans, "checkin", (str(codes), "first")), clients=clients)
        first_check = check_pass(
            event_id=event_id,
            load=first["load"],
            result="checked_in",
            checked_in=WARMUP + scans,
            logged=WARMUP + scans,
        )
        again = server.measure(Load(PATH, scans, "checkin", (str(codes), "again")), clients=clients)
        again_check = check_pass(
            event_id=event_id,
            load=again["load"],
            result="already_checked_in",
            checked_in=WARMUP + scans,
            logged=WARMUP + 2 * scans,
        )
        services = server.services
        if services is not None:
            drained = services.drain(cap=SEND_TIME_CAP)
            drained.update(services.since_ready())
    if services is not None:
        emails, problems = services.check_emails()
        first_check["problems"] += problems
        first_check.update(drained, **emails)
    return [
        {"target": "first", **first, **first_check},
        {"target": "again", **again, **again_check},
    ]


# ----------------------------------------------------------------------------------------------
# Report


def results_lines(
    *, summary: dict, runs: list[dict], info: dict, args, sess, env: dict[str, str]
) -> list[str]:
    command = COMMANDS[args.stack]
    production = args.stack == "production"
    share = ratio_of_repeats(runs, "first", "scan", "requests_per_second")
    first, again = summary["first"], summary["again"]
    share_met = share >= TARGET_SHARE_OF_SCAN
    p99_met = first["p99_ms"] <= TARGET_P99_MS

    def met(flag: bool) -> str:
        return "met" if flag else "**not met**"

    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    firsts = [r for r in runs if r["target"] == "first"]
    return [
        *header_lines(
            info=info,
            command=command,
            repeats=args.repeats,
            started=sess.started,
            duration=sess.duration,
        ),
        *stack_lines(args.stack, env),
        f"- Load: {args.clients} connections, wrk `-t1`, turn by turn the tokens of {DEVICES} "
        f"devices; each run about {args.seconds:g} s of requests after a warm-up of {WARMUP} "
        "scans of other badges (the count is set from the warm-up's rate, at most "
        f"{BADGES:,} badges). Each scan carries its own idempotency key, as a scanner that "
        "may retry sends it.",
        "",
        f"**Targets: check-in at ≥ {TARGET_SHARE_OF_SCAN:.0%} of the one-write `/scan/` "
        f"reference's requests/s: measured {share:.0%} (median of the repeats' ratios), "
        f"{met(share_met)}; p99 ≤ {TARGET_P99_MS} ms: measured {first['p99_ms']:.0f} ms, "
        f"{met(p99_met)}.**",
        "",
        noise_paragraph(summary, info["cores"], command),
        "",
        "Medians of the repeats; each ratio is against the reference measured in the same run "
        "(for latency, CPU and memory a ratio above 1 means more).",
        "",
        *main_table(summary, LABELS, ["ping", "scan"]),
        "",
        f"A scan of a badge already checked in (nothing written but its scan log entry) runs at "
        f"{again['requests_per_second']:,.0f} requests/s with "
        f"{again['server_cpu_ms_per_request']:.2f} ms of server CPU, against "
        f"{first['requests_per_second']:,.0f} requests/s and "
        f"{first['server_cpu_ms_per_request']:.2f} ms for a first scan.",
        "",
        *load_table(summary, LABELS),
        "",
        *((*services_table(summary, LABELS), "") if production else ()),
        *(
            (
                f"The Celery worker used {first['worker_cpu_cores']:.2f} cores during the first "
                f"pass; it completed {first['worker_tasks']:,.0f} tasks in a repeat "
                f"(median), and {first['outbox_emails']:,.0f} outbox emails were written.",
                "",
            )
            if production
            else ()
        ),
        "Correctness, checked after every pass: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"In each of the {len(firsts)} repeats, every answer of the first pass was 200 "
        '"checked_in" and of the second 200 "already_checked_in"; the database held exactly '
        "one check-in per badge scanned (warm-up included), as many as the distinct badges "
        f"scanned ({first['checkins']:,.0f}, median), none added by the second pass, and one "
        "scan log entry per scan"
        + (
            "; on the production stack, every outbox email sent, in one attempt, and received "
            "by the mail server exactly once."
            if production
            else "."
        ),
    ]


# ----------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_arguments(__doc__, seconds=5, stacks=STACKS)
    if not require_wrk():
        return 1

    runs: list[dict] = []
    name, heading, writer = SECTIONS[args.stack]
    with session(name, DATABASES, keep=args.keep) as sess:
        tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-"))
        env = site_env(tmp, DATABASES, stack=args.stack)
        codes = sess.out / "codes.txt"
        try:
            info = machine()
            log(
                f"Preparing ({args.stack} stack): template database, {BADGES + WARMUP:,} badges, "
                "static files"
            )
            template_env = DATABASES.create_template(env)
            made = json.loads(
                run(
                    [
                        str(PYTHON),
                        str(BENCH / "build_registrations.py"),
                        "checkin",
                        str(BADGES),
                        str(WARMUP),
                        str(DEVICES),
                    ],
                    env={**template_env, "BENCH_CHECKIN_FILE": str(codes)},
                )
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
                        stack=args.stack,
                    )
                    runs.append(log_run(LABELS[reference.key], result, repeat, args.repeats))
                for result in measure_site(
                    env=env,
                    made=made,
                    codes=codes,
                    seconds=args.seconds,
                    clients=args.clients,
                    out=sess.out,
                    stack=args.stack,
                ):
                    runs.append(log_run(LABELS[result["target"]], result, repeat, args.repeats))
        except BenchError as error:
            log(f"BENCHMARK FAILED: {error}")
            return 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            # The codes and tokens open the sample event's doors; nothing else needs them.
            for path in (codes, Path(str(codes) + ".warm")):
                path.unlink(missing_ok=True)

        summary = summarise(runs, list(LABELS))
        write_raw(sess.out, machine=info, made=made, runs=runs, summary=summary)
        share = ratio_of_repeats(runs, "first", "scan", "requests_per_second")
        p99 = summary["first"]["p99_ms"]
        log(
            f"Check-in: {share:.0%} of /scan/'s requests/s (target {TARGET_SHARE_OF_SCAN:.0%}), "
            f"p99 {p99:.0f} ms (target {TARGET_P99_MS})."
        )
        if is_noisy(summary):
            log(f"WARNING: other work used {summary['ping']['other_cpu_cores']:.1f} cores "
                "during /ping: noisy run.")  # fmt: skip
        failures = [p for r in runs for p in r["problems"]]
        if failures:
            log("BENCHMARK FAILED: wrong answers: " + "; ".join(failures))
            log(f"docs/benchmarks.md left unchanged; raw results in {sess.out}")
            return 1
        lines = results_lines(summary=summary, runs=runs, info=info, args=args, sess=sess, env=env)
        if args.no_doc:
            log("\n".join(lines))
        else:
            write_section(name, lines, heading=heading, writer=writer)
            log(f"Wrote {DOC.relative_to(ROOT)}; raw results in {sess.out.relative_to(ROOT)}")
    return 0 if share >= TARGET_SHARE_OF_SCAN and p99 <= TARGET_P99_MS else 2


if __name__ == "__main__":
    sys.exit(main())

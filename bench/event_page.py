"""Benchmark of the event page under gunicorn, beside the bare-Django references.

``make bench-event-page`` runs it. It needs PostgreSQL and Redis on 127.0.0.1 and wrk, and takes
about three minutes. Each repeat measures, in turn and each from a fresh copy of a seeded database:

- ``GET /ping`` on the bare Django project in ``bench/reference`` (the framework's ceiling);
- ``POST /scan/`` on the same project (one ``UPDATE … RETURNING`` per request);
- ``GET /events/<slug>/`` on the site in production mode (the page as served, from its cache);
- the same page with the page cache switched off (``bench/settings_cold.py``): every request
  renders, as after every edit of the event.

All four run under the same gunicorn settings and the same load (``bench/harness.py``). The
medians of the repeats are written to the event page's results section of
``docs/benchmarks.md``, the raw figures and the server logs to ``bench/results/``. Exit status:
0 when the target is met, 2 when it is not, 1 when a run answered wrongly (then
``docs/benchmarks.md`` is left as it was).

``--stack production`` (``make bench``, ``make bench-event-page-production``) serves the page on
the production stack instead (``bench/harness.py``: gunicorn with ``gunicorn.conf.py``, Redis as
broker and cache, the Celery worker and beat running beside it), the references under the same
gunicorn configuration; its results go to their own section.
"""

import html
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
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
    ratio,
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

NAME = "event_page"
DATABASES = Databases("event_page")
TARGET_SHARE = 0.30
COMMANDS = {"bench": "make bench-event-page", "production": "make bench-event-page-production"}
SECTIONS = {
    "bench": (NAME, "## Results: the event page", ""),
    "production": (
        f"{NAME}_production",
        "## Results: the event page on the production stack",
        "bench/event_page.py --stack production",
    ),
}


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    warmup: int
    min_requests: int
    settings: str | None = None


PAGES = [
    Page("page", "event page (cached)", warmup=300, min_requests=500),
    Page(
        "cold", "event page (cache off)", warmup=20, min_requests=60, settings="bench.settings_cold"
    ),
]
LABELS = {
    **{reference.key: reference.label for reference in REFERENCES},
    **{page.key: page.label for page in PAGES},
}


# ----------------------------------------------------------------------------------------------
# Correctness


def check_page(base: str, event: dict, lengths: tuple[int, int]) -> dict:
    """The page shows every session and speaker, and every timed response had its size."""
    answer = httpx.get(base + event["path"], timeout=30)
    problems = []
    if answer.status_code != 200:
        problems.append(f"status {answer.status_code}")
    if not answer.headers.get("content-type", "").startswith("text/html"):
        problems.append(f"content type {answer.headers.get('content-type')!r}")
    text = answer.text
    missing_sessions = [t for t in event["sessions"] if html.escape(t) not in text]
    missing_speakers = [n for n in event["speakers"] if html.escape(n) not in text]
    if missing_sessions:
        problems.append(
            f"{len(missing_sessions)} of 60 sessions missing, e.g. {missing_sessions[0]!r}"
        )
    if missing_speakers:
        problems.append(
            f"{len(missing_speakers)} of 40 speakers missing, e.g. {missing_speakers[0]!r}"
        )
    size = len(answer.content)
    shortest, longest = lengths
    if shortest < size * 0.98 or longest > size * 1.02:
        problems.append(f"timed responses were {shortest}-{longest} bytes, the page is {size}")
    session_links = {
        int(pk) for pk in re.findall(rf"/events/{re.escape(event['slug'])}/sessions/(\d+)/", text)
    }
    return {
        "problems": problems,
        "page_bytes": size,
        "sessions_shown": len(event["sessions"]) - len(missing_sessions),
        "speakers_shown": len(event["speakers"]) - len(missing_speakers),
        "session_links": len(session_links & set(event["session_ids"])),
    }


# ----------------------------------------------------------------------------------------------
# One run


def measure_page(
    page: Page,
    *,
    env: dict[str, str],
    event: dict,
    seconds: float,
    clients: int,
    out: Path,
    stack: str,
) -> dict:
    DATABASES.fresh_copy()
    path = event["path"]
    with site_server(
        env,
        stack=stack,
        databases=DATABASES,
        out=out,
        tag=page.key,
        settings=page.settings,
        ready_path=path,
    ) as server:
        warm = server.load(Load(path, page.warmup), clients=clients)
        requests = max(page.min_requests, round(warm["responses"] / warm["elapsed"] * seconds))
        result = server.measure(Load(path, requests), clients=clients)
        check = check_page(
            server.base, event, (result["load"]["min_len"], result["load"]["max_len"])
        )
        services = server.services
    problems = socket_problems(result["load"]) + status_problems(result["load"], 200)
    problems += check.pop("problems")
    if services is not None:
        emails, sending = services.check_emails()
        problems += sending
        check.update(emails)
    return {"target": page.key, **result, **check, "problems": problems}


# ----------------------------------------------------------------------------------------------
# Setup


def prepare(env: dict[str, str]) -> dict:
    """Seeds the template database every run copies, and collects the static files."""
    template_env = DATABASES.create_template(env)
    event = json.loads(run([str(PYTHON), str(BENCH / "build_event.py")], env=template_env))
    if len(event["sessions"]) != 60 or len(event["speakers"]) != 40:
        raise BenchError(
            f"the builder made {len(event['sessions'])} sessions, {len(event['speakers'])} speakers"
        )
    collect_static(env)
    flush_redis()
    return event


# ----------------------------------------------------------------------------------------------
# Report


def cpu_bound_share(runs: list[dict]) -> float:
    """What the page's share would be on a quiet machine, where CPU is all that limits.

    The CPU one request costs everywhere it is measured (gunicorn, wrk, the PostgreSQL
    backends) for /ping over the same for the page, median of the repeats.
    """
    keys = ("server_cpu_ms_per_request", "wrk_cpu_ms_per_request", "database_cpu_ms_per_request")
    for r in runs:
        r["total_cpu_ms_per_request"] = sum(r[k] for k in keys)
    return ratio_of_repeats(runs, "ping", "page", "total_cpu_ms_per_request")


def results_lines(
    *, summary: dict, runs: list[dict], info: dict, event: dict, args, sess, env: dict[str, str]
) -> list[str]:
    command = COMMANDS[args.stack]
    page, scan, cold = summary["page"], summary["scan"], summary["cold"]
    share = ratio_of_repeats(runs, "page", "ping", "requests_per_second")
    verdict = "met" if share >= TARGET_SHARE else "not met"
    site_runs = [r for r in runs if r["target"] in ("page", "cold")]
    scan_runs = [r for r in runs if r["target"] == "scan"]
    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    links = min(r["session_links"] for r in site_runs)
    return [
        *header_lines(
            info=info,
            command=command,
            repeats=args.repeats,
            started=sess.started,
            duration=sess.duration,
        ),
        *stack_lines(args.stack, env),
        f"- Load: {args.clients} connections, wrk `-t1`; each run about {args.seconds:g} s "
        "of requests after a warm-up (the count is set from the warm-up's rate).",
        "",
        f"**Target: the cached event page at ≥ {TARGET_SHARE:.0%} of the `/ping` reference's "
        f"requests/s. Measured {share:.1%} (median of the repeats' ratios): {verdict}.**",
        "",
        f"On a quiet machine, where CPU alone limits, the CPU each request costs (gunicorn, wrk "
        f"and the PostgreSQL backends) puts the page at {cpu_bound_share(runs):.0%} of `/ping`.",
        "",
        noise_paragraph(summary, info["cores"], command),
        "",
        "Medians of the repeats; each ratio is against `/ping` measured in the same run "
        "(for latency, CPU and memory a ratio above 1 means more).",
        "",
        *main_table(summary, LABELS, ["ping"]),
        "",
        "The cached page runs at "
        f"{ratio(page['requests_per_second'], scan['requests_per_second'])} the requests/s "
        "of the one-write `/scan/` reference. With the page cache off, every "
        f"request renders the page: {cold['requests_per_second']:,.0f} requests/s, "
        f"p50 {cold['p50_ms']:.0f} ms, {cold['server_cpu_ms_per_request']:.1f} ms of server CPU "
        "per page; that is the cost of the first view of each language after every edit of the "
        "event.",
        "",
        *load_table(summary, LABELS),
        "",
        *((*services_table(summary, LABELS), "") if args.stack == "production" else ()),
        "Correctness, checked after every run: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"Every timed response was 200 with the page's size; the page ({page['page_bytes']:,.0f} "
        f"bytes) showed all {len(event['sessions'])} session titles and all "
        f"{len(event['speakers'])} speakers, and linked {links} of the 60 session pages; "
        "the `/scan/` rows held exactly the answered scans "
        f"in all {len(scan_runs)} repeats"
        + (
            "; no email was written, and none reached the mail server."
            if args.stack == "production"
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
        try:
            info = machine()
            log(
                f"Preparing ({args.stack} stack): template database, 60-session event, "
                f"static files ({tmp})"
            )
            event = prepare(env)
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
                    runs.append(log_run(LABELS[result["target"]], result, repeat, args.repeats))
                for page in PAGES:
                    result = measure_page(
                        page,
                        env=env,
                        event=event,
                        seconds=args.seconds,
                        clients=args.clients,
                        out=sess.out,
                        stack=args.stack,
                    )
                    runs.append(log_run(LABELS[result["target"]], result, repeat, args.repeats))
        except BenchError as error:
            log(f"BENCHMARK FAILED: {error}")
            return 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

        summary = summarise(runs, list(LABELS))
        write_raw(sess.out, machine=info, event=event, runs=runs, summary=summary)
        failures = [p for r in runs for p in r["problems"]]
        share = ratio_of_repeats(runs, "page", "ping", "requests_per_second")
        log(f"Cached event page: {share:.1%} of /ping's requests/s (target {TARGET_SHARE:.0%}).")
        if is_noisy(summary):
            log(f"WARNING: other work used {summary['ping']['other_cpu_cores']:.1f} cores "
                "during /ping: noisy run.")  # fmt: skip
        log(f"CPU-bound estimate for a quiet machine: {cpu_bound_share(runs):.0%} of /ping.")
        if failures:
            log("BENCHMARK FAILED: wrong answers: " + "; ".join(failures))
            log(f"docs/benchmarks.md left unchanged; raw results in {sess.out}")
            return 1
        lines = results_lines(
            summary=summary, runs=runs, info=info, event=event, args=args, sess=sess, env=env
        )
        if args.no_doc:
            log("\n".join(lines))
        else:
            write_section(name, lines, heading=heading, writer=writer)
            log(f"Wrote {DOC.relative_to(ROOT)}; raw results in {sess.out.relative_to(ROOT)}")
    return 0 if share >= TARGET_SHARE else 2


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the calendar feeds under gunicorn, beside the bare-Django references.

``make bench-calendar`` runs it. It needs PostgreSQL and Redis on 127.0.0.1 and wrk, and takes
about four minutes. The sample data (``bench/build_calendar.py``) is a five-day conference of
500 sessions and a subscriber confirmed for it and four other events, with 27 picked sessions.
Each repeat measures, in turn, with 16 clients:

- ``GET /ping`` and ``POST /scan/`` on the bare Django project in ``bench/reference``;
- on the site with its production cache (``bench/settings_calendar.py``, ``warm``), after a
  warm-up: the conference's agenda feed ``/events/<slug>/calendar.ics`` as subscribers fetch it
  between changes (from the cache), then the same with ``If-None-Match`` set to its ETag (every
  answer a 304); then the subscriber's personal feed ``/calendar/<token>.ics``, the same two
  ways;
- on the site with nothing cached (``cold``): both feeds built on every request, as the first
  request after each change is;
- in-process (``bench/build_calendar.py cold``): the agenda feed's build on a cache miss, turn
  by turn with the same 500 events built and serialised by the icalendar package alone.

The settings count every build of a feed (each store in the feeds' cache) in Redis, so each run
checks how many builds it caused: none for the cached and the 304 runs, one per request for the
cold ones. Medians of the repeats go to the calendar feeds' section of ``docs/benchmarks.md``,
the raw figures and server logs to ``bench/results/``. Exit status: 0 when the targets are met,
2 when not, 1 when a run answered wrongly (then ``docs/benchmarks.md`` is left as it was).
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import redis
from harness import (
    BENCH,
    DOC,
    PYTHON,
    REDIS_URL,
    REFERENCES,
    ROOT,
    BenchError,
    Databases,
    Load,
    Server,
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
    require_wrk,
    run,
    session,
    site_env,
    socket_problems,
    status_problems,
    summarise,
    write_raw,
    write_section,
)
from icalendar import Calendar

NAME = "calendar_feeds"
DATABASES = Databases("calendar_feeds")
COMMAND = "make bench-calendar"
SETTINGS = "bench.settings_calendar"
BUILDS_KEY = "bench:calendar:builds"  # as in bench/settings_calendar.py
SESSIONS = 500
# In-process builds per repeat, each beside one build by the icalendar package alone.
COLD_ITERATIONS = 5

# Targets of issue 4, against pretalx's full-schedule .ics of 500 talks measured on these
# machines: about 4.5 requests/s at 16 clients, p50 3.6 s.
PRETALX_RPS = 4.5
PRETALX_P50_MS = 3600
TARGET_RPS = 450
TARGET_COLD_RATIO = 2.0


@dataclass(frozen=True)
class Feed:
    key: str
    label: str
    feed: str  # "agenda" or "personal"
    cache: str  # BENCH_FEED_CACHE: "warm" or "cold"
    conditional: bool = False
    warmup: int = 200
    min_requests: int = 400
    # Sends "Accept-Encoding: gzip", as calendar applications do.
    gzip: bool = False


FEEDS = [
    Feed("agenda", "agenda feed, 500 sessions (cached)", "agenda", "warm"),
    Feed("agenda_gzip", "agenda feed, gzip (cached)", "agenda", "warm", gzip=True),
    Feed(
        "agenda_304",
        "agenda feed, If-None-Match: 304",
        "agenda",
        "warm",
        conditional=True,
        min_requests=600,
    ),
    Feed("personal", "personal feed (cached)", "personal", "warm"),
    Feed(
        "personal_304",
        "personal feed, If-None-Match: 304",
        "personal",
        "warm",
        conditional=True,
        min_requests=600,
    ),
    Feed("agenda_cold", "agenda feed (built every request)", "agenda", "cold", False, 4, 24),
    Feed("personal_cold", "personal feed (built every request)", "personal", "cold", False, 10, 80),
]
LABELS = {
    **{reference.key: reference.label for reference in REFERENCES},
    **{feed.key: feed.label for feed in FEEDS},
}


# ----------------------------------------------------------------------------------------------
# Builds, counted by the site's settings


def builds() -> dict[str, int]:
    counts = redis.Redis.from_url(REDIS_URL).hgetall(BUILDS_KEY)
    return {key.decode(): int(value) for key, value in counts.items()}


def builds_of(before: dict[str, int], after: dict[str, int], etag: str) -> int:
    """The builds of the feed with this ETag between two readings (the key is its digest)."""
    key = f"ical:{etag.strip(chr(34))}:raw"  # each build stores the feed and its gzip copy
    return after.get(key, 0) - before.get(key, 0)


# ----------------------------------------------------------------------------------------------
# Correctness


def fetch(base: str, path: str) -> httpx.Response:
    return httpx.get(base + path, timeout=60)


def check_feed(answer: httpx.Response, made: dict, feed: str) -> tuple[list[str], dict]:
    """The feed parses with icalendar and holds what it must, and nothing it must not."""
    problems = []
    if answer.status_code != 200:
        return [f"{feed} feed: status {answer.status_code}"], {"vevents": 0, "feed_bytes": 0}
    if not answer.headers.get("content-type", "").startswith("text/calendar"):
        problems.append(f"{feed} feed: content type {answer.headers.get('content-type')!r}")
    for header in ("ETag", "Cache-Control"):
        if header not in answer.headers:
            problems.append(f"{feed} feed: no {header}")
    try:
        calendar = Calendar.from_ical(answer.content)
    except ValueError as error:
        return [*problems, f"{feed} feed does not parse: {error}"], {"vevents": 0, "feed_bytes": 0}
    vevents = calendar.walk("VEVENT")
    uids = [str(component["UID"]) for component in vevents]
    zones = [str(component["TZID"]) for component in calendar.walk("VTIMEZONE")]
    if len(set(uids)) != len(uids):
        problems.append(f"{feed} feed: {len(uids) - len(set(uids))} repeated UIDs")
    if "Europe/Brussels" not in zones:
        problems.append(f"{feed} feed: no VTIMEZONE for Europe/Brussels ({zones})")
    if "REFRESH-INTERVAL" not in calendar or "X-WR-CALNAME" not in calendar:
        problems.append(f"{feed} feed: no REFRESH-INTERVAL or X-WR-CALNAME")
    text = answer.content
    if feed == "agenda":
        if sorted(uids) != made["session_uids"]:
            problems.append(f"agenda feed: {len(uids)} VEVENTs, not the {SESSIONS} sessions")
        if made["online_url"].encode() in text or b"mailto:" in text:
            problems.append("agenda feed: a join link or an email address in a public feed")
        if "public" not in answer.headers.get("Cache-Control", ""):
            problems.append("agenda feed: not public")
        if "Last-Modified" not in answer.headers:
            problems.append("agenda feed: no Last-Modified")
    else:
        expected = made["personal_events"] + made["personal_picks"]
        if len(vevents) != expected:
            problems.append(f"personal feed: {len(vevents)} VEVENTs, expected {expected}")
        missing = [url for url in made["personal_online_urls"] if url.encode() not in text]
        if missing:
            problems.append(f"personal feed: join links missing: {missing}")
        if "private" not in answer.headers.get("Cache-Control", ""):
            problems.append("personal feed: not private")
    return problems, {"vevents": len(vevents), "feed_bytes": len(text)}


# ----------------------------------------------------------------------------------------------
# One repeat of the site


def measure_feeds(
    *,
    cache: str,
    env: dict[str, str],
    made: dict,
    seconds: float,
    clients: int,
    log_path: Path,
) -> list[dict]:
    """Every feed run of one cache setting, on one server started from a fresh database."""
    DATABASES.fresh_copy()
    redis.Redis.from_url(REDIS_URL).delete(BUILDS_KEY)
    paths = {"agenda": made["path"], "personal": made["personal_path"]}
    server_env = {**env, "BENCH_BUILDS_URL": REDIS_URL, "BENCH_FEED_CACHE": cache}
    results = []
    with Server(
        "site",
        server_env,
        database=DATABASES.run,
        log_path=log_path,
        settings=SETTINGS,
        ready_path=paths["agenda"],
    ) as server:
        for feed in (feed for feed in FEEDS if feed.cache == cache):
            path = paths[feed.feed]
            before = fetch(server.base, path)
            etag = before.headers.get("ETag", "")
            headers = (f"If-None-Match: {etag}",) if feed.conditional else ()
            if feed.gzip:
                headers = (*headers, "Accept-Encoding: gzip")
            expected = 304 if feed.conditional else 200
            warm = server.load(Load(path, feed.warmup, headers=headers), clients=clients)
            rate = warm["responses"] / warm["elapsed"]
            requests = max(feed.min_requests, round(rate * seconds))
            counted = builds()
            result = server.measure(Load(path, requests, headers=headers), clients=clients)
            built = builds_of(counted, builds(), etag)
            answer = fetch(server.base, path)
            problems = socket_problems(result["load"]) + status_problems(result["load"], expected)
            problems += [f"the warm-up: {p}" for p in status_problems(warm, expected)]
            check_problems, check = check_feed(answer, made, feed.feed)
            problems += check_problems
            if answer.headers.get("ETag") != etag:
                problems.append(f"the ETag moved during the run: {etag} → {answer.headers['ETag']}")
            answered = result["load"]["final"]
            if cache == "cold" and built != answered:
                problems.append(f"{built} builds for {answered} requests (expected one each)")
            if cache == "warm" and built != 0:
                problems.append(f"{built} builds during the run (expected none)")
            lengths = (result["load"]["min_len"], result["load"]["max_len"])
            if feed.conditional and lengths != (0, 0):
                problems.append(f"304 bodies of {lengths[0]}-{lengths[1]} bytes")
            # httpx asks for gzip, so ``answer`` is the compressed feed, decoded into ``check``.
            if feed.gzip and answer.headers.get("Content-Encoding") != "gzip":
                problems.append("the feed was not sent gzipped to a client that accepts it")
            size = int(answer.headers["Content-Length"]) if feed.gzip else check.get("feed_bytes")
            if not feed.conditional and lengths != (size,) * 2:
                problems.append(f"bodies of {lengths[0]}-{lengths[1]} bytes, expected {size}")
            results.append(
                {
                    "target": feed.key,
                    **result,
                    **check,
                    "builds": built,
                    "answered_304": result["load"]["statuses"].get(304, 0),
                    "etag": etag,
                    "problems": problems,
                }
            )
    return results


def measure_cold_builds(env: dict[str, str]) -> dict:
    """The in-process builds of ``bench/build_calendar.py cold`` on a fresh copy."""
    DATABASES.fresh_copy()
    cold = json.loads(
        run([str(PYTHON), str(BENCH / "build_calendar.py"), "cold", str(COLD_ITERATIONS)], env=env)
    )
    cold["ratio"] = pair_ratio([cold], "agenda")
    problems = []
    if cold["agenda_vevents"] != SESSIONS:
        problems.append(f"in-process build: {cold['agenda_vevents']} VEVENTs")
    # One query (the event's version), or none once the page cache has recorded that version.
    if cold["queries"]["agenda_304_request"] > 1:
        problems.append(f"a 304 of the agenda made {cold['queries']['agenda_304_request']} queries")
    cold["problems"] = problems
    return cold


# ----------------------------------------------------------------------------------------------
# Report


def total_cpu(run_result: dict) -> float:
    keys = ("server_cpu_ms_per_request", "wrk_cpu_ms_per_request", "database_cpu_ms_per_request")
    return sum(run_result[key] for key in keys)


def quiet_estimate(runs: list[dict], key: str) -> float:
    """Requests/s on a quiet machine, where CPU alone limits: /ping's rate scaled by the CPU
    each request costs (gunicorn, wrk and the PostgreSQL backends), median of the repeats."""
    by_repeat = {(r["repeat"], r["target"]): r for r in runs}
    repeats = sorted({r["repeat"] for r in runs})
    return statistics.median(
        by_repeat[(n, "ping")]["requests_per_second"]
        * total_cpu(by_repeat[(n, "ping")])
        / total_cpu(by_repeat[(n, key)])
        for n in repeats
    )


def cores_estimate(runs: list[dict], key: str) -> float:
    """Requests/s if the machine's cores did nothing but this run's work at the CPU each request
    cost here (gunicorn, wrk and the PostgreSQL backends), median of the repeats."""
    cores = os.cpu_count() or 1
    return statistics.median(cores * 1000 / total_cpu(r) for r in runs if r["target"] == key)


def met(flag: bool) -> str:
    return "met" if flag else "**not met**"


def verdicts(summary: dict, runs: list[dict], colds: list[dict]) -> dict:
    ratio = pair_ratio(colds, "agenda")
    same_fields = pair_ratio(colds, "agenda", "alone_all")
    no_rebuild = all(
        r["builds"] == 0 and r["answered_304"] == r["load"]["final"]
        for r in runs
        if r["target"] in ("agenda_304", "personal_304")
    )
    return {
        # Calendar applications ask for gzip, so the feed as they fetch it is what counts.
        "rps": summary["agenda_gzip"]["requests_per_second"] >= TARGET_RPS,
        "not_modified": no_rebuild,
        "cold": ratio <= TARGET_COLD_RATIO,
        "cold_ratio": ratio,
        "same_fields_ratio": same_fields,
        "quiet_rps": quiet_estimate(runs, "agenda"),
        "cores_rps": cores_estimate(runs, "agenda"),
    }


def pooled(colds: list[dict], name: str) -> float:
    """The median of one in-process timing over every iteration of every repeat, in ms."""
    return statistics.median(value for cold in colds for value in cold["ms"][name])


def pair_ratio(colds: list[dict], name: str, against: str = "alone") -> float:
    """One timing over the icalendar-alone build of the same iteration (they run turn by turn,
    so both meet the same neighbours), median over every iteration of every repeat."""
    return statistics.median(
        ours / alone
        for cold in colds
        for ours, alone in zip(cold["ms"][name], cold["ms"][against], strict=True)
    )


def cold_lines(colds: list[dict]) -> list[str]:
    def median(group: str, name: str) -> float:
        return statistics.median(cold[group][name] for cold in colds)

    rows = [
        ("agenda feed build (as on a cache miss: 2 queries, 500 VEVENTs, serialising)", "agenda"),
        ("… of which the two queries and their objects", "queries"),
        ("… of which the VEVENTs and serialising (sessions already fetched)", "ical"),
        (
            "the same 500 events by the icalendar package alone (the issue's measure: UID, "
            "DTSTAMP, DTSTART, DTEND, SUMMARY, LOCATION, DESCRIPTION)",
            "alone",
        ),
        (
            "… the same with every property the feed's VEVENTs carry (also SEQUENCE, STATUS, "
            "URL, CATEGORIES, RELATED-TO, GEO)",
            "alone_all",
        ),
        ("a whole cold request in-process (middleware, view, build)", "request"),
        ("personal feed build (32 VEVENTs)", "personal"),
        ("personal feed version (what a 304 of it costs beyond the request)", "version"),
    ]
    iterations = sum(len(cold["ms"]["alone"]) for cold in colds)
    lines = [
        f"In-process, the cache cleared, {iterations} iterations in all, each timing beside the "
        "icalendar-alone build of the same iteration:",
        "",
        "| in-process, cache cleared | ms (median) | vs icalendar alone (median of pairs) |",
        "|---|--:|--:|",
    ]
    for label, name in rows:
        lines.append(f"| {label} | {pooled(colds, name):.1f} | {pair_ratio(colds, name):.2f}x |")
    first = median("first_ms", "agenda")
    queries = colds[0]["queries"]
    lines += [
        "",
        f"The first build in a fresh process took {first:.0f} ms: it also works out the "
        "VTIMEZONE (then kept by the process) and loads the translations. Queries: "
        f"{queries['agenda_build']} for the agenda feed's build, {queries['personal_build']} for "
        f"the personal feed's, {queries['personal_version']} for its version; a 304 of the agenda "
        f"feed made {queries['agenda_304_request']} (at most the event's version). "
        "The agenda feed is "
        f"{colds[0]['agenda_bytes']:,} bytes; the icalendar-alone files of the same events "
        f"{colds[0]['alone_bytes']:,} (the issue's seven properties) and "
        f"{colds[0]['alone_all_bytes']:,} (all of the feed's).",
    ]
    return lines


def results_lines(
    *, summary: dict, runs: list[dict], colds: list[dict], info: dict, args, sess
) -> list[str]:
    agenda, agenda_304 = summary["agenda"], summary["agenda_304"]
    agenda_gzip = summary["agenda_gzip"]
    personal, personal_304 = summary["personal"], summary["personal_304"]
    agenda_cold, personal_cold = summary["agenda_cold"], summary["personal_cold"]
    verdict = verdicts(summary, runs, colds)
    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    failures += [f"in-process: {p}" for cold in colds for p in cold["problems"]]
    repeats = args.repeats
    conditional = [r for r in runs if r["target"] in ("agenda_304", "personal_304")]
    answered_304 = sum(r["answered_304"] for r in conditional)
    return [
        *header_lines(
            info=info,
            command=COMMAND,
            repeats=repeats,
            started=sess.started,
            duration=sess.duration,
        ),
        f"- icalendar {version('icalendar')}.",
        f"- Load: {args.clients} connections, wrk `-t1`; each run about {args.seconds:g} s of "
        "requests after a warm-up (the count is set from the warm-up's rate); the 304 runs send "
        "`If-None-Match` with the feed's current ETag on every request.",
        "",
        f"**Targets (issue 4): the 500-session agenda feed at ≥ {TARGET_RPS} requests/s "
        f"(100 times pretalx's {PRETALX_RPS:g}), fetched as calendar applications fetch it "
        f"(`Accept-Encoding: gzip`): measured {agenda_gzip['requests_per_second']:,.0f} "
        f"({agenda_gzip['requests_per_second'] / PRETALX_RPS:,.0f} times pretalx; p50 "
        f"{agenda_gzip['p50_ms']:.1f} ms against its {PRETALX_P50_MS / 1000:g} s), "
        f"{met(verdict['rps'])} (uncompressed, to a client that does not accept gzip: "
        f"{agenda['requests_per_second']:,.0f}); a returned ETag answered with a real 304 "
        "that costs no rebuild: "
        f"{answered_304:,} answers 304 with empty bodies, "
        f"{sum(r['builds'] for r in conditional)} builds, "
        f"{agenda_304['server_cpu_ms_per_request']:.2f} ms of server CPU against "
        f"{agenda['server_cpu_ms_per_request']:.2f} ms for the cached feed, "
        f"{met(verdict['not_modified'])}; the cold build at ≤ {TARGET_COLD_RATIO:g} times the "
        f"icalendar package alone: measured {verdict['cold_ratio']:.2f} times (median; "
        f"{verdict['same_fields_ratio']:.2f} times the icalendar package alone writing every "
        "property the feed carries), "
        f"{met(verdict['cold'])}.**",
        "",
        "On a quiet machine, where CPU alone limits: the CPU each cached agenda feed cost "
        f"(gunicorn, wrk and the PostgreSQL backends, {total_cpu(agenda):.2f} ms) would let both "
        f"cores serve about {verdict['cores_rps']:,.0f} requests/s; `/ping`'s rate in this run "
        "scaled by the CPU each of them cost gives "
        f"{verdict['quiet_rps']:,.0f}. Both read CPU that neighbours inflate.",
        "",
        noise_paragraph(summary, info["cores"], COMMAND),
        "",
        "Medians of the repeats; each ratio is against the reference measured in the same run "
        "(for latency, CPU and memory a ratio above 1 means more).",
        "",
        *main_table(summary, LABELS, ["ping", "scan"]),
        "",
        f"The personal feed ({personal['vevents']:.0f} VEVENTs, {personal['feed_bytes']:,.0f} "
        f"bytes) runs at {personal['requests_per_second']:,.0f} requests/s cached and "
        f"{personal_304['requests_per_second']:,.0f} with its ETag: its version is four small "
        "queries on every request, the person by token, the confirmed registrations, the "
        "picks and the revising audit entries. Built on every request, the agenda feed runs at "
        f"{agenda_cold['requests_per_second']:,.1f} requests/s (p50 "
        f"{agenda_cold['p50_ms']:,.0f} ms, {agenda_cold['server_cpu_ms_per_request']:,.0f} ms "
        f"of server CPU each) and the personal feed at "
        f"{personal_cold['requests_per_second']:,.0f}: what the first request after each change "
        "costs, once per worker process.",
        "",
        *load_table(summary, LABELS),
        "",
        *cold_lines(colds),
        "",
        "Correctness, checked after every run: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"In each of the {repeats} repeats every timed answer had the expected status (200, "
        f"or 304 with an empty body when the ETag was sent) and the full feed's size; fetched "
        f"again, the agenda feed parsed with icalendar into {agenda['vevents']:.0f} VEVENTs "
        f"with the {SESSIONS} sessions' UIDs, a VTIMEZONE for Europe/Brussels, "
        "REFRESH-INTERVAL and X-WR-CALNAME, no join link and no email address, under the same "
        f"ETag as before the run; the personal feed into {personal['vevents']:.0f} VEVENTs (5 "
        "events, 27 picked sessions) with both join links. The builds counted by the site: "
        "none during the cached and the 304 runs (the warm-up built each feed once per "
        "worker), one per request in the cold runs.",
    ]


# ----------------------------------------------------------------------------------------------


def prepare(env: dict[str, str]) -> dict:
    """Seeds the template database every run copies, and collects the static files."""
    template_env = DATABASES.create_template(env)
    made = json.loads(
        run([str(PYTHON), str(BENCH / "build_calendar.py"), "build"], env=template_env)
    )
    if made["sessions"] != SESSIONS:
        raise BenchError(f"the builder made {made['sessions']} sessions")
    collect_static(env)
    flush_redis()
    return made


def main() -> int:
    args = parse_arguments(__doc__, seconds=3)
    if not require_wrk():
        return 1

    runs: list[dict] = []
    colds: list[dict] = []
    with session(NAME, DATABASES, keep=args.keep) as sess:
        tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-"))
        env = site_env(tmp, DATABASES)
        try:
            info = machine()
            log("Preparing: template database, 500-session conference, subscriber, static files")
            made = prepare(env)
            for repeat in range(1, args.repeats + 1):
                for reference in REFERENCES:
                    result = measure_reference(
                        reference,
                        databases=DATABASES,
                        seconds=args.seconds,
                        clients=args.clients,
                        log_path=sess.out / f"gunicorn-{reference.key}.log",
                    )
                    runs.append(log_run(LABELS[reference.key], result, repeat, args.repeats))
                for cache in ("warm", "cold"):
                    for result in measure_feeds(
                        cache=cache,
                        env=env,
                        made=made,
                        seconds=args.seconds,
                        clients=args.clients,
                        log_path=sess.out / f"gunicorn-{cache}.log",
                    ):
                        runs.append(log_run(LABELS[result["target"]], result, repeat, args.repeats))
                cold = measure_cold_builds(env)
                colds.append(cold)
                log(
                    f"  {repeat}/{args.repeats} in-process build "
                    f"{cold['median_ms']['agenda']:7.1f} ms, icalendar alone "
                    f"{cold['median_ms']['alone']:7.1f} ms, "
                    f"ratio {cold['ratio']:.2f}"
                    + (f"  PROBLEMS: {cold['problems']}" if cold["problems"] else "")
                )
        except BenchError as error:
            log(f"BENCHMARK FAILED: {error}")
            return 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

        summary = summarise(runs, list(LABELS))
        write_raw(sess.out, machine=info, made=made, runs=runs, colds=colds, summary=summary)
        verdict = verdicts(summary, runs, colds)
        log(
            f"Agenda feed: {summary['agenda_gzip']['requests_per_second']:,.0f} requests/s cached "
            f"with gzip, {summary['agenda']['requests_per_second']:,.0f} without "
            f"(target {TARGET_RPS}; about {verdict['quiet_rps']:,.0f} on a quiet machine), "
            f"304 without rebuild: {verdict['not_modified']}, cold build "
            f"{verdict['cold_ratio']:.2f} times icalendar alone (target {TARGET_COLD_RATIO:g})."
        )
        if is_noisy(summary):
            log(f"WARNING: other work used {summary['ping']['other_cpu_cores']:.1f} cores "
                "during /ping: noisy run.")  # fmt: skip
        failures = [p for r in runs for p in r["problems"]]
        failures += [p for cold in colds for p in cold["problems"]]
        if failures:
            log("BENCHMARK FAILED: wrong answers: " + "; ".join(failures))
            log(f"docs/benchmarks.md left unchanged; raw results in {sess.out}")
            return 1
        lines = results_lines(
            summary=summary, runs=runs, colds=colds, info=info, args=args, sess=sess
        )
        if args.no_doc:
            log("\n".join(lines))
        else:
            write_section(NAME, lines, heading="## Results: the calendar feeds")
            log(f"Wrote {DOC.relative_to(ROOT)}; raw results in {sess.out.relative_to(ROOT)}")
    met_all = verdict["rps"] and verdict["not_modified"] and verdict["cold"]
    return 0 if met_all else 2


if __name__ == "__main__":
    sys.exit(main())

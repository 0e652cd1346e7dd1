"""Benchmark of a registration rush under gunicorn, beside the bare-Django references.

``make bench-registration`` runs it. It needs PostgreSQL and Redis on 127.0.0.1 and wrk, and
takes about five minutes on a quiet machine. Each repeat measures, in turn and each from a fresh
copy of a seeded database, with 50 concurrent clients:

- ``GET /ping`` and ``POST /scan/`` on the bare Django project in ``bench/reference``;
- the rush: 1,000 registrations through ``POST /api/v1/events/<slug>/registrations/`` for an
  in-person event with 100 seats, each with its own email and client address;
- then, on the same server, 500 registrations for an event without a seat limit;
- then one Celery worker sending the emails those registrations queued.

The site runs in production mode with a Celery broker (Redis), as production queues emails:
each registration writes its email to the outbox (kind, recipient, subject and what its
templates need that can change; no bodies) and queues its sending in Redis on commit. No worker
runs during the timed runs. After each run the database is counted: exactly 100 confirmed and
900 waitlisted (their answered waitlist positions 1..900, each once), one outbox email and one
audit entry per registration, every email queued; then all 500 confirmed for the event without
a limit. Then one Celery worker sends the queued emails, rendering each as production's worker
does, and is measured; every email must end sent, each waitlisted one telling the position it
was written with and each confirmation carrying its invitation.

``--stack production`` (``make bench``, ``make bench-registration-production``) runs the same
rush on the production stack instead (``bench/harness.py``): gunicorn with ``gunicorn.conf.py``,
and the Celery worker and beat running during the timed runs, sending the emails as they are
queued to a local mail server (``bench/smtp_sink.py``); the worker's CPU is measured beside each
run. The outbox emails are then sent or pending; after both runs the benchmark waits for the
worker to send the rest and checks that every outbox email was sent, in one attempt, and reached
the mail server exactly once. Its results go to their own section.

Exit status: 0 when the targets are met, 2 when not, 1 when a run answered wrongly (then
``docs/benchmarks.md`` is left as it was).
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    BENCH,
    BROKER_URL,
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
    process_cpu_seconds,
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

NAME = "registration_rush"
DATABASES = Databases("registration_rush")
COMMANDS = {
    "bench": "make bench-registration",
    "production": "make bench-registration-production",
}
SECTIONS = {
    "bench": (NAME, "## Results: the registration rush", ""),
    "production": (
        f"{NAME}_production",
        "## Results: the registration rush on the production stack",
        "bench/registration_rush.py --stack production",
    ),
}
REGISTRATIONS = 1000
SEATS = 100
# Registrations for the event without a seat limit: enough for a steady rate, few enough to
# keep the whole benchmark within a few minutes.
OPEN_REGISTRATIONS = 500
WARMUP = 100
# wrk stops as soon as every registration has its answer; this only bounds a stalled run.
TIME_CAP = 300
# The worker sends the emails of a repeat within this many seconds, or the run has failed.
SEND_TIME_CAP = 600
ORGANISATIONS = 50
TARGET_SHARE_OF_SCAN = 0.25
TARGET_P99_MS = 300
TARGET_OPEN_RPS = 300
LABELS = {
    **{reference.key: reference.label for reference in REFERENCES},
    "rush": f"rush: {REGISTRATIONS:,} for {SEATS} seats",
    "open": f"{OPEN_REGISTRATIONS:,} without a seat limit",
}


def api_path(slug: str) -> str:
    return f"/api/v1/events/{slug}/registrations/"


# ----------------------------------------------------------------------------------------------
# Correctness


def counts(sql: str, params: int | tuple) -> dict[str, int]:
    params = params if isinstance(params, tuple) else (params,)
    return {key: int(value) for key, value in DATABASES.rows(sql, params)}


def check_registrations(
    event_id: int, load: dict, *, registrations: int, seats: int | None, sending: bool = False
) -> dict:
    """The database holds what the answers said, and no more seats than there are.

    With ``sending`` (a worker running), an outbox email may be pending or already sent.
    """
    problems = socket_problems(load) + status_problems(load, 201)
    errors = sum(n for status, n in load["statuses"].items() if status >= 500 and status != 503)
    if errors:
        problems.append(f"{errors} server errors")
    by_status = counts(
        "SELECT status, count(*) FROM registrations_registration "
        "WHERE event_id = %s GROUP BY status",
        event_id,
    )
    confirmed = registrations if seats is None else seats
    expected = {"confirmed": confirmed}
    if confirmed < registrations:
        expected["waitlisted"] = registrations - confirmed
    if by_status != expected:
        problems.append(f"registrations by status {by_status}, expected {expected}")
    answered = {k: v for k, v in load["kinds"].items()}
    if answered != expected:
        problems.append(f"answers by status {answered}, expected {expected}")
    waitlisted = expected.get("waitlisted", 0)
    positions = sorted(load["positions"])
    if positions != list(range(1, waitlisted + 1)):
        problems.append(
            f"answered waitlist positions were not 1..{waitlisted} each once "
            f"({len(positions)} given, {len(set(positions))} distinct)"
        )
    # First come, first served: every seat was given before the first waitlisting.
    order = DATABASES.value(
        "SELECT coalesce(max(created_at) FILTER (WHERE status = 'confirmed')"
        " <= min(waitlisted_at) FILTER (WHERE status = 'waitlisted'), true)"
        " FROM registrations_registration WHERE event_id = %s",
        (event_id,),
    )
    if order is not True:
        problems.append("a seat was given after someone had been waitlisted")
    # With a worker running, "pending" or "sent" are both right: "written" stands for either.
    emails = counts(
        "SELECT e.kind || ':' || (CASE WHEN %s AND e.status IN ('pending', 'sent')"
        " THEN 'written' ELSE e.status END), count(*) FROM registrations_outboxemail e"
        " JOIN registrations_registration r ON r.id = e.registration_id"
        " WHERE r.event_id = %s GROUP BY 1",
        (sending, event_id),
    )
    state = "written" if sending else "pending"
    expected_emails = {f"confirmation:{state}": confirmed}
    if waitlisted:
        expected_emails[f"waitlisted:{state}"] = waitlisted
    if emails != expected_emails:
        problems.append(f"outbox {emails}, expected {expected_emails}")
    audits = DATABASES.value(
        "SELECT count(*) FROM registrations_auditentry a"
        " JOIN registrations_registration r ON r.id = a.registration_id"
        " WHERE r.event_id = %s",
        (event_id,),
    )
    if audits != registrations:
        problems.append(f"{audits} audit entries for {registrations} registrations")
    return {
        "problems": problems,
        "by_status": by_status,
        "emails": emails,
        "server_errors": errors,
        "waitlist_positions_ok": positions == list(range(1, waitlisted + 1)),
    }


def queued_emails() -> list[int]:
    """The outbox emails the messages queued in Redis name: a message of ``send_email`` names
    one, a message of ``send_emails`` those a web process gathered."""
    import base64

    import redis

    named: list[int] = []
    for message in redis.Redis.from_url(BROKER_URL).lrange("celery", 0, -1):
        envelope = json.loads(message)
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        task = envelope["headers"]["task"]
        if task == "registrations.tasks.send_email":
            named.append(args[0])
        elif task == "registrations.tasks.send_emails":
            named.extend(args[0])
    return named


# ----------------------------------------------------------------------------------------------
# One repeat of the site


def measure_site(
    *, env: dict[str, str], events: dict, clients: int, out: Path, stack: str
) -> list[dict]:
    DATABASES.fresh_copy()
    flush_redis(BROKER_URL)
    production = stack == "production"
    with site_server(env, stack=stack, databases=DATABASES, out=out, tag="site") as server:
        server.load(
            Load(
                api_path(events["warm"]["slug"]),
                WARMUP,
                "register",
                ("warm", str(ORGANISATIONS)),
                TIME_CAP,
            ),
            clients=clients,
        )
        rush = server.measure(
            Load(
                api_path(events["rush"]["slug"]),
                REGISTRATIONS,
                "register",
                ("rush", str(ORGANISATIONS)),
                TIME_CAP,
            ),
            clients=clients,
        )
        rush_check = check_registrations(
            events["rush"]["id"],
            rush["load"],
            registrations=REGISTRATIONS,
            seats=SEATS,
            sending=production,
        )
        unlimited = server.measure(
            Load(
                api_path(events["open"]["slug"]),
                OPEN_REGISTRATIONS,
                "register",
                ("open", str(ORGANISATIONS)),
                TIME_CAP,
            ),
            clients=clients,
        )
        open_check = check_registrations(
            events["open"]["id"],
            unlimited["load"],
            registrations=OPEN_REGISTRATIONS,
            seats=None,
            sending=production,
        )
        services = server.services
        if services is not None:
            drained = services.drain(cap=SEND_TIME_CAP)
            drained.update(services.since_ready())
    if services is not None:
        emails, problems = services.check_emails()
        rush_check["problems"] += problems
        if drained["drain_pending_left"]:
            rush_check["problems"].append(
                f"{drained['drain_pending_left']} emails still pending {SEND_TIME_CAP} s after "
                "the runs"
            )
        return [
            {"target": "rush", **rush, **rush_check, **drained, **emails},
            {"target": "open", **unlimited, **open_check},
        ]
    outbox_ids = sorted(
        row[0] for row in DATABASES.rows("SELECT id FROM registrations_outboxemail")
    )
    outbox = len(outbox_ids)
    # A web process publishes the emails it gathered within its window (100 ms) after the last
    # answer: waited for, at most a few seconds.
    deadline = time.monotonic() + 5
    named = queued_emails()
    while sorted(named) != outbox_ids and time.monotonic() < deadline:
        time.sleep(0.1)
        named = queued_emails()
    queued = len(named)
    sent = DATABASES.value(
        "SELECT count(*) FROM registrations_outboxemail WHERE status <> 'pending'"
    )
    for check in (rush_check, open_check):
        check["outbox_total"], check["queued_total"], check["sent_total"] = outbox, queued, sent
    # Each outbox email named by exactly one queued message.
    if sorted(named) != outbox_ids or sent:
        rush_check["problems"].append(
            f"{outbox} emails in the outbox, {queued} named by the messages queued in Redis "
            f"({len(set(named))} distinct), {sent} not pending"
        )
    sending = send_outbox(env=env, emails=outbox, log_path=out / "celery.log")
    rush_check["problems"] += sending.pop("problems")
    flush_redis(BROKER_URL)
    return [
        {"target": "rush", **rush, **rush_check, **sending},
        {"target": "open", **unlimited, **open_check},
    ]


# ----------------------------------------------------------------------------------------------
# The emails, sent afterwards by a worker


def pending_and_sent() -> tuple[int, int]:
    pending, sent = DATABASES.rows(
        "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent')"
        " FROM registrations_outboxemail"
    )[0]
    return int(pending), int(sent)


def check_sent_emails() -> list[str]:
    """Each email says what it said when written: the waitlist position it was written with,
    the confirmation with its calendar invitation."""
    problems = []
    wrong_position = DATABASES.value(
        "SELECT count(*) FROM registrations_outboxemail WHERE kind = 'waitlisted' AND"
        " position('You are number ' || (context->>'waitlist_position') || ' on the waitlist.'"
        " IN body_text) = 0"
    )
    if wrong_position:
        problems.append(f"{wrong_position} waitlisted emails without their waitlist position")
    wrong_confirmation = DATABASES.value(
        "SELECT count(*) FROM registrations_outboxemail WHERE kind = 'confirmation' AND NOT"
        " (body_text LIKE '%%is confirmed.%%' AND jsonb_array_length(attachments) = 1"
        " AND attachments->0->>'filename' = 'invite.ics')"
    )
    if wrong_confirmation:
        problems.append(f"{wrong_confirmation} confirmations without their text or invitation")
    return problems


def send_outbox(*, env: dict[str, str], emails: int, log_path: Path) -> dict:
    """Starts one Celery worker (solo pool), as production sends the emails, on the messages
    queued during the runs; waits until every email is sent, and measures the worker's CPU
    while it renders and sends them. Django's in-memory backend stands for SMTP: it builds each
    message, attachments included, and keeps it."""
    command = [
        str(PYTHON), "-m", "celery", "-A", "eventsite", "worker", "--pool", "solo",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(log_path, "ab") as log_file:
        worker = subprocess.Popen(
            command,
            env={
                **env,
                "DJANGO_SETTINGS_MODULE": "eventsite.settings",
                "EMAIL_URL": "memorymail://",
            },
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + SEND_TIME_CAP
        first = None
        while time.monotonic() < deadline and worker.poll() is None:
            pending, sent = pending_and_sent()
            if first is None and sent:
                # From the first email sent on: the worker's start-up is left out.
                first = (time.monotonic(), process_cpu_seconds(worker.pid), sent)
            if not pending:
                break
            time.sleep(0.1)
        pending, sent = pending_and_sent()
        end = (time.monotonic(), process_cpu_seconds(worker.pid), sent)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    problems = []
    if pending or sent != emails:
        problems.append(f"the worker sent {sent} of {emails} emails ({pending} left pending)")
    if first is None or end[2] <= first[2]:
        return {"problems": problems or ["the worker sent no email"]}
    problems += check_sent_emails()
    count = end[2] - first[2]
    return {
        "problems": problems,
        "emails_sent": sent,
        "worker_emails_per_second": count / (end[0] - first[0]),
        "worker_cpu_ms_per_email": (end[1] - first[1]) * 1000 / count,
    }


# ----------------------------------------------------------------------------------------------
# Report


def verdicts(runs: list[dict], summary: dict) -> dict:
    share = ratio_of_repeats(runs, "rush", "scan", "requests_per_second")
    return {
        "share": share,
        "share_met": share >= TARGET_SHARE_OF_SCAN,
        "p99_met": summary["rush"]["p99_ms"] <= TARGET_P99_MS,
        "open_met": summary["open"]["requests_per_second"] >= TARGET_OPEN_RPS,
    }


def emails_lines(rush: dict, stack: str) -> tuple[str, str]:
    """How the emails went out, and what was checked of them, on each stack."""
    if stack == "production":
        return (
            "- Emails: the Celery worker and beat ran during the timed runs: every email is "
            "written to the outbox in the registration's transaction, without its bodies, queued "
            "in Redis on commit, and rendered and sent over SMTP by the worker meanwhile. During "
            f"the rush the worker used {rush['worker_cpu_cores']:.2f} cores and sent "
            f"{rush['emails_sent']:,.0f} of the rush's {rush['emails_written']:,.0f} emails "
            f"({rush['emails_pending_after']:,.0f} still pending at its end); after both runs it "
            f"sent the rest in {rush['drain_seconds']:.1f} s. In all, "
            f"{rush['worker_emails_sent']:,.0f} emails a repeat (warm-up included), "
            f"{rush['worker_cpu_ms_per_email']:.1f} ms of the worker's CPU per email, "
            f"{rush['worker_tasks']:,.0f} tasks completed (medians of the repeats).",
            "then, once the worker had sent the rest, every outbox email sent, in one attempt, "
            "and received by the mail server exactly once (as many messages as outbox emails, "
            "each recipient as often as written). ",
        )
    return (
        "- Emails: Celery broker `redis://127.0.0.1:6379/4`, no worker during the timed runs: "
        "every email is written to the outbox in the registration's transaction, without its "
        "bodies, and queued in Redis on commit. Afterwards one Celery worker (`--pool solo`, "
        "Django's in-memory email backend standing for SMTP) rendered and sent all "
        f"{rush['emails_sent']:,.0f} of a repeat: {rush['worker_emails_per_second']:,.0f} "
        f"emails/s, {rush['worker_cpu_ms_per_email']:.1f} ms of the worker's CPU per email "
        "(medians of the repeats), which production spends outside the request, on the same "
        "machine or another.",
        "then every email sent by the worker, each waitlisted one with the position it was "
        "written with, each confirmation with its invitation. ",
    )


def results_lines(
    *, summary: dict, runs: list[dict], info: dict, args, sess, env: dict[str, str]
) -> list[str]:
    v = verdicts(runs, summary)
    rush, unlimited = summary["rush"], summary["open"]
    command = COMMANDS[args.stack]
    emails, emails_checked = emails_lines(rush, args.stack)
    production = args.stack == "production"

    def met(flag: bool) -> str:
        return "met" if flag else "**not met**"

    busy = sum(r["busy_retries"] for r in runs if r["target"] in ("rush", "open"))
    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    site_runs = [r for r in runs if r["target"] == "rush"]
    return [
        *header_lines(
            info=info,
            command=command,
            repeats=args.repeats,
            started=sess.started,
            duration=sess.duration,
        ),
        *stack_lines(args.stack, env),
        f"- Load: {args.clients} connections, wrk `-t1`; each registration with its own email "
        "and its own client address (`X-Forwarded-For`, behind one proxy as in production); "
        f"references about {args.seconds:g} s each after a warm-up; the site warmed up with "
        f"{WARMUP} registrations for another event.",
        emails,
        "",
        f"**Targets: the rush at ≥ {TARGET_SHARE_OF_SCAN:.0%} of the one-write `/scan/` "
        f"reference's requests/s: measured {v['share']:.0%} (median of the repeats' ratios), "
        f"{met(v['share_met'])}; rush p99 ≤ {TARGET_P99_MS} ms: measured "
        f"{rush['p99_ms']:.0f} ms, {met(v['p99_met'])}; registrations without a seat limit "
        f"≥ {TARGET_OPEN_RPS}/s: measured {unlimited['requests_per_second']:,.0f}/s, "
        f"{met(v['open_met'])}.**",
        "",
        noise_paragraph(summary, info["cores"], command),
        "",
        "Medians of the repeats; each ratio is against the reference measured in the same run "
        "(for latency, CPU and memory a ratio above 1 means more).",
        "",
        *main_table(summary, LABELS, ["ping", "scan"]),
        "",
        *load_table(summary, LABELS),
        "",
        *((*services_table(summary, LABELS), "") if production else ()),
        "Correctness, checked after every run: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"In each of the {len(site_runs)} rushes: {REGISTRATIONS:,} answers 201, 0 server "
        f"errors, exactly {SEATS} confirmed and {REGISTRATIONS - SEATS} waitlisted in the "
        f"database, the waitlisted answered positions 1..{REGISTRATIONS - SEATS} each once, every "
        "seat given before the first waitlisting, one audit entry and one "
        + ("outbox email" if production else "pending outbox email")
        + " (confirmation or waitlisted) per registration"
        + ("" if production else ", and every outbox email queued in Redis")
        + f"; without a seat limit, all {OPEN_REGISTRATIONS:,} confirmed; "
        + emails_checked
        + f'"Busy, retry" (503) answers, counted and sent again: {busy} in all.',
    ]


# ----------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_arguments(
        __doc__,
        seconds=4,
        clients=50,
        seconds_help="length of each reference run",
        stacks=STACKS,
    )
    if not require_wrk():
        return 1

    runs: list[dict] = []
    name, heading, writer = SECTIONS[args.stack]
    with session(name, DATABASES, keep=args.keep) as sess:
        tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-"))
        env = site_env(
            tmp,
            DATABASES,
            stack=args.stack,
            CELERY_BROKER_URL=BROKER_URL,
            API_RATE_REGISTRATION="100000000/minute",
        )
        try:
            info = machine()
            log(f"Preparing ({args.stack} stack): template database, events, static files")
            template_env = DATABASES.create_template(env)
            made = json.loads(
                run([str(PYTHON), str(BENCH / "build_registrations.py"), "rush"], env=template_env)
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
                    events=made["events"],
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

        summary = summarise(runs, list(LABELS))
        write_raw(sess.out, machine=info, made=made, runs=runs, summary=summary)
        v = verdicts(runs, summary)
        log(
            f"Rush: {v['share']:.0%} of /scan/'s requests/s (target {TARGET_SHARE_OF_SCAN:.0%}), "
            f"p99 {summary['rush']['p99_ms']:.0f} ms (target {TARGET_P99_MS}); without a limit "
            f"{summary['open']['requests_per_second']:,.0f}/s (target {TARGET_OPEN_RPS})."
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
    return 0 if v["share_met"] and v["p99_met"] and v["open_met"] else 2


if __name__ == "__main__":
    sys.exit(main())

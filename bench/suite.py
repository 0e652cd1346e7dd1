"""The production-stack benchmarks, one after the other: what ``make bench`` runs.

Runs ``bench/event_page.py``, ``bench/registration_rush.py`` and ``bench/checkin.py`` with
``--stack production``, then ``bench/growth.py``; each writes its own section of
``docs/benchmarks.md``. A part that fails does not stop the others. Options after the script's
name go to every part (``--repeats 1 --no-doc``); ``--only growth,checkin`` runs some parts.
Prints how long each part took. Exit status: 1 if a part answered wrongly or could not run,
2 if a part missed its targets, 0 otherwise.
"""

import argparse
import subprocess
import sys
import time

from harness import BENCH, PYTHON, ROOT, log

PARTS = {
    "event_page": ["event_page.py", "--stack", "production"],
    "registration_rush": ["registration_rush.py", "--stack", "production"],
    "checkin": ["checkin.py", "--stack", "production"],
    "growth": ["growth.py"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(PARTS), help="parts to run, comma-separated")
    args, passed_on = parser.parse_known_args()
    chosen = [name for name in args.only.split(",") if name]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        parser.error(f"unknown parts {unknown}; choose from {list(PARTS)}")
    finished = []
    started = time.monotonic()
    for name in chosen:
        script, *options = PARTS[name]
        log(f"== {name}: bench/{script} {' '.join([*options, *passed_on])}")
        clock = time.monotonic()
        status = subprocess.run(
            [str(PYTHON), str(BENCH / script), *options, *passed_on], cwd=ROOT, check=False
        ).returncode
        finished.append((name, status, time.monotonic() - clock))
    meaning = {0: "passed", 2: "passed, targets not met"}
    log("== done")
    for name, status, seconds in finished:
        log(f"  {name:20} {seconds / 60:5.1f} min  exit {status} ({meaning.get(status, 'FAILED')})")
    log(f"  {'all':20} {(time.monotonic() - started) / 60:5.1f} min")
    statuses = {status for _name, status, _seconds in finished}
    if statuses - {0, 2}:
        return 1
    return 2 if 2 in statuses else 0


if __name__ == "__main__":
    sys.exit(main())

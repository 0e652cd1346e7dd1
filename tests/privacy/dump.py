"""Everything the site holds, as text to search: the database dump and every media file.

PDFs are also read through their text layer, since their streams are compressed; workbooks and
other zip files member by member. File names count too (an upload keeps its original name).
"""

import io
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from badges.models import CheckIn, ScanLog
from registrations.models import Registration, SessionPick
from reports.models import AttendanceMark, OnlineJoin, SurveyAnswer


def database_dump() -> str:
    """``.dump`` of SQLite, ``pg_dump`` of PostgreSQL: what a backup of the database holds.

    Call from a test with ``django_db(transaction=True)`` on PostgreSQL, so that ``pg_dump``'s
    own connection sees the test's rows.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.fail("pg_dump is not installed (Debian: postgresql-client)")
        db = connection.settings_dict
        command = [pg_dump, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
        if db.get("HOST"):
            command += ["--host", db["HOST"]]
        if db.get("PORT"):
            command += ["--port", str(db["PORT"])]
        if db.get("USER"):
            command += ["--username", db["USER"]]
        environment = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        result = subprocess.run(  # noqa: S603 - a fixed program with the test's own settings
            command, env=environment, capture_output=True, text=True, check=True
        )
        return result.stdout
    pytest.fail(f"No dump for {connection.vendor}")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def media_text() -> str:
    """Every media file's name and content, PDFs' text and zip members included."""
    root = Path(settings.MEDIA_ROOT)
    parts = []
    for path in media_files():
        parts.append(str(path.relative_to(root)))
        data = path.read_bytes()
        parts.append(data.decode("utf-8", "ignore"))
        if data.startswith(b"%PDF"):
            reader = PdfReader(io.BytesIO(data))
            parts += [page.extract_text() or "" for page in reader.pages]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                parts += [
                    archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()
                ]
    return "\n".join(parts)


def event_totals(event) -> dict:
    """The figures that statistics and reports of an event are made of."""
    registrations = Registration.objects.filter(event=event).select_related("person__organisation")
    return {
        "registrations": Counter(
            (
                r.status,
                r.mode,
                r.person.organisation.type if r.person.organisation else None,
                r.person.organisation.country.code if r.person.organisation else None,
                r.person.country.code,
                r.photo_consent,
            )
            for r in registrations
        ),
        "picks": Counter(
            SessionPick.objects.filter(registration__event=event).values_list(
                "session_id", "status"
            )
        ),
        "check_ins": Counter(
            CheckIn.objects.filter(event=event, undone_at__isnull=True).values_list(
                "session_id", flat=True
            )
        ),
        "scans": Counter(ScanLog.objects.filter(event=event).values_list("result", flat=True)),
        "online_joins": OnlineJoin.objects.filter(registration__event=event).count(),
        "attendance": Counter(
            AttendanceMark.objects.filter(registration__event=event).values_list(
                "session_id", "attended"
            )
        ),
        "ratings": sorted(
            SurveyAnswer.objects.filter(
                response__survey__event=event, rating__isnull=False
            ).values_list("question_id", "rating")
        ),
    }

"""The fast path's one statement (see the package's docstring), built once per process from
the models' metadata: only names from the models and the answer's kinds (``ScanResult``) go
into it; every value is a parameter.

Its row: whether the device may work at the event the code names, the answer stored for the
idempotency key, the result (None: the view answers), the answer, the check-in made or found,
the registration, the badge, whether the device's last-seen time was written, then the
device's columns (None: unknown or revoked).
"""

import functools
import logging
import re

from django.contrib.auth import get_user_model
from django.db import connections

from agenda.models import Event
from members.models import Organisation, Person
from registrations.models import AuditEntry, Registration

from ..enums import ScanResult
from ..models import Badge, CheckIn, Device, ScanLog
from ..services import ENDING_STATUSES

logger = logging.getLogger(__name__)

EVENT_OK, STORED, RESULT, BODY, CHECKIN, REGISTRATION, BADGE, TOUCHED, DEVICE = range(9)
# A column's name that SQL reads as it is, without quotes.
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


# The columns the statement writes, and what it writes in each: the same values as the view's
# ``CheckIn(…)`` and ``ScanLog(…)`` for this scan. A model that gains a column turns the fast
# path off (every scan goes to the view) until the column is added here.
CHECKIN_VALUES = {
    "registration_id": "rid",
    "event_id": "%(event)s",
    "session_id": "NULL",
    "badge_id": "bid",
    "at": "%(now)s",
    "recorded_at": "%(now)s",
    "device_id": "(SELECT id FROM dv)",
    "user_id": "NULL",
    "offline": "false",
    "undone_at": "NULL",
    "undone_by_id": "NULL",
}
SCANLOG_VALUES = {
    "event_id": "%(event)s",
    "at": "%(now)s",
    "scanned_at": "NULL",
    "device_id": "dv.id",
    "user_id": "NULL",
    "actor_key": "'device:' || dv.id",
    "idempotency_key": "%(key)s",
    "code_hash": "%(code_hash)s",
    "registration_id": "a.rid",
    "session_id": "NULL",
    "checkin_id": "a.cid",
    "result": "a.result",
    "offline": "false",
    "conflict": "false",
    "response": "a.body",
}


def _columns(model, values: dict[str, str], quote) -> tuple[str, str] | None:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if {field.attname for field in fields} != set(values):
        return None
    return (
        ", ".join(quote(field.column) for field in fields),
        ", ".join(values[field.attname] for field in fields),
    )


def _object(*pairs: tuple[str, str]) -> str:
    return "jsonb_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


@functools.cache
def statement(alias: str) -> str | None:
    """The scan's SQL; None when the models have columns this module does not know."""
    quote = connections[alias].ops.quote_name
    checkin_columns = _columns(CheckIn, CHECKIN_VALUES, quote)
    log_columns = _columns(ScanLog, SCANLOG_VALUES, quote)
    if checkin_columns is None or log_columns is None:
        logger.warning("The check-in fast path is off: the models have columns it does not write")
        return None
    User = get_user_model()
    link = Device.events.through

    def table(model) -> str:
        return quote(model._meta.db_table)

    def col(name: str, model, field: str) -> str:
        # After a table's name PostgreSQL reads any word as a column, keywords too.
        column = model._meta.get_field(field).column
        return f"{name}.{column if PLAIN_NAME.fullmatch(column) else quote(column)}"

    unknown, revoked, not_confirmed, checked_in, already = (
        f"'{result.value}'"
        for result in (
            ScanResult.UNKNOWN,
            ScanResult.REVOKED,
            ScanResult.NOT_CONFIRMED,
            ScanResult.CHECKED_IN,
            ScanResult.ALREADY_CHECKED_IN,
        )
    )
    # What the view answers (services._attendee, _checkin_info), key for key; needs only for a
    # device allowed to see them (no other value is ever null). Python orders the keys.
    needs = col("r", Registration, "accessibility_needs")
    role, mode = col("b", Badge, "role"), col("r", Registration, "mode")
    attendee = "jsonb_strip_nulls({})".format(
        _object(
            ("registration", col("r", Registration, "id")),
            (
                "name",
                f"btrim({col('pe', Person, 'first_name')} || ' '"
                f" || {col('pe', Person, 'last_name')}, %(space)s)",
            ),
            ("organisation", f"coalesce({col('o', Organisation, 'name')}, '')"),
            ("role", role),
            ("role_label", f"coalesce(t.x->'roles'->>{role}, {role})"),
            ("mode", mode),
            ("mode_label", f"coalesce(t.x->'modes'->>{mode}, {mode})"),
            ("needs_assistance", f"btrim({needs}, %(space)s) <> ''"),
            (
                "accessibility_needs",
                f"CASE WHEN {col('dv', Device, 'shows_accessibility_needs')} THEN {needs} END",
            ),
        )
    )
    ending = ", ".join(f"%(ending_{n})s" for n in range(len(ENDING_STATUSES)))
    device = ", ".join(col("dv", Device, field.name) for field in Device._meta.concrete_fields)
    # Only names from the models and the answer's kinds (ScanResult) go in; values are parameters.
    sql = f"""
WITH t AS (SELECT %(texts)s::jsonb AS x),
dv AS (
    SELECT d.* FROM {table(Device)} d
    WHERE {col("d", Device, "token_hash")} = %(token)s AND {col("d", Device, "revoked_at")} IS NULL
),
tc AS (
    UPDATE {table(Device)} d SET {quote(Device._meta.get_field("last_seen_at").column)} = %(now)s
    WHERE {col("d", Device, "id")} = (SELECT id FROM dv) AND (
        {col("d", Device, "last_seen_at")} IS NULL
        OR {col("d", Device, "last_seen_at")} <= %(now)s - interval '60 seconds'
    )
    RETURNING 1
),
ev AS (
    SELECT {col("l", link, "event")} AS id FROM {table(link)} l
    JOIN {table(Event)} e ON {col("e", Event, "id")} = {col("l", link, "event")}
    WHERE {col("l", link, "device")} = (SELECT id FROM dv) AND {col("e", Event, "slug")} = %(slug)s
),
pr AS (
    SELECT {col("g", ScanLog, "response")}::text AS body FROM {table(ScanLog)} g
    WHERE {col("g", ScanLog, "actor_key")} = 'device:' || (SELECT id FROM dv)
    AND {col("g", ScanLog, "idempotency_key")} = %(key)s
    AND {col("g", ScanLog, "idempotency_key")} <> ''
),
go AS (SELECT EXISTS (SELECT FROM ev WHERE id = %(event)s) AND NOT EXISTS (SELECT FROM pr) AS ok),
s AS (
    SELECT {col("b", Badge, "id")} AS bid, {col("b", Badge, "revoked_at")} AS rv,
    {col("b", Badge, "revoke_reason")} AS why, {col("r", Registration, "id")} AS rid,
    {col("r", Registration, "status")}, {attendee} AS att,
    CASE WHEN {col("b", Badge, "revoked_at")} IS NULL
    AND {col("r", Registration, "status")} = %(confirmed)s
    AND {col("r", Registration, "updated_at")} > {col("b", Badge, "issued_at")}
    THEN EXISTS (
        SELECT FROM {table(AuditEntry)} au
        WHERE {col("au", AuditEntry, "registration")} = {col("r", Registration, "id")}
        AND {col("au", AuditEntry, "to_status")} IN ({ending})
        AND {col("au", AuditEntry, "at")} > {col("b", Badge, "issued_at")}
    ) ELSE false END AS ended
    FROM t, dv, {table(Badge)} b
    JOIN {table(Registration)} r
    ON {col("r", Registration, "id")} = {col("b", Badge, "registration")}
    JOIN {table(Person)} pe ON {col("pe", Person, "id")} = {col("r", Registration, "person")}
    LEFT JOIN {table(Organisation)} o
    ON {col("o", Organisation, "id")} = {col("pe", Person, "organisation")}
    WHERE {col("b", Badge, "code")} = %(code)s AND {col("b", Badge, "event")} = %(event)s
    AND (SELECT ok FROM go)
    FOR UPDATE OF r
),
ci AS (SELECT * FROM s WHERE rv IS NULL AND status = %(confirmed)s AND NOT ended),
ins AS (
    INSERT INTO {table(CheckIn)} ({checkin_columns[0]})
    SELECT {checkin_columns[1]} FROM ci
    ON CONFLICT DO NOTHING
    RETURNING {quote(CheckIn._meta.pk.column)} AS id
),
p AS (
    SELECT {col("c", CheckIn, "id")} AS id,
    replace(to_char({col("c", CheckIn, "at")} AT TIME ZONE 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '') || '+00:00' AS at,
    coalesce({col("d", Device, "name")}, {col("u", User, User.USERNAME_FIELD)}, '') AS by,
    {col("d", Device, "name")} AS device, {col("c", CheckIn, "offline")} AS offline
    FROM {table(CheckIn)} c
    LEFT JOIN {table(Device)} d ON {col("d", Device, "id")} = {col("c", CheckIn, "device")}
    LEFT JOIN {table(User)} u ON {col("u", User, User._meta.pk.name)} = {col("c", CheckIn, "user")}
    WHERE {col("c", CheckIn, "registration")} = (SELECT rid FROM ci)
    AND {col("c", CheckIn, "session")} IS NULL AND {col("c", CheckIn, "undone_at")} IS NULL
    AND NOT EXISTS (SELECT FROM ins)
    FOR KEY SHARE OF c
),
ch AS (
    SELECT * FROM p
    UNION ALL SELECT ins.id, %(now_iso)s::text, dv.name, dv.name, false FROM ins, dv
),
a AS (
    SELECT k.result, s.rid, (SELECT id FROM ch) AS cid,
    jsonb_build_object('result', k.result, 'message', CASE k.result WHEN {not_confirmed}
    THEN t.x->'not_confirmed'->>s.status ELSE t.x->'messages'->>k.result END,
    'session', NULL, 'attendee', s.att) || CASE k.result
    WHEN {revoked} THEN jsonb_build_object('revoke_reason', s.why)
    WHEN {not_confirmed} THEN jsonb_build_object('status', s.status)
    WHEN {checked_in} THEN jsonb_build_object('checkin', (SELECT to_jsonb(ch) FROM ch))
    WHEN {already}
    THEN jsonb_build_object('checkin', (SELECT to_jsonb(ch) FROM ch), 'conflict', false)
    ELSE '{{}}' END AS body
    FROM (SELECT) o CROSS JOIN t LEFT JOIN s ON true
    CROSS JOIN LATERAL (SELECT CASE
        WHEN s.bid IS NULL THEN {unknown}
        WHEN s.rv IS NOT NULL THEN {revoked}
        WHEN s.status <> %(confirmed)s
        THEN CASE WHEN t.x->'not_confirmed' ? s.status THEN {not_confirmed} END
        WHEN s.ended THEN NULL
        WHEN EXISTS (SELECT FROM ins) THEN {checked_in}
        WHEN EXISTS (SELECT FROM p) THEN {already}
    END AS result) AS k
    WHERE (SELECT ok FROM go)
),
lg AS (
    INSERT INTO {table(ScanLog)} ({log_columns[0]})
    SELECT {log_columns[1]} FROM a, dv WHERE a.result IS NOT NULL
)
SELECT (SELECT id FROM ev) = %(event)s, (SELECT body FROM pr), a.result, a.body::text, a.cid,
a.rid, (SELECT bid FROM s), EXISTS (SELECT FROM tc), {device}
FROM (SELECT) o LEFT JOIN dv ON true LEFT JOIN a ON true
"""  # noqa: S608
    return " ".join(sql.split())

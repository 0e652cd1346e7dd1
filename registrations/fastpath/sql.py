"""The fast path's four statements (see the package's docstring), built once per process from
the models' metadata: only names from the models and the states' values go into them; every
value is a parameter. They are sent two by two, each pair in one round trip (psycopg's
pipeline mode), inside one transaction.

``rules``: the public event named by the slug, with the rules a registration is checked
against: its privacy notice in force, whether it has a required question, whether organisers
approve each registration. Its row: those three, then the event's columns. Read before the
lock, as the view reads them (``selectors.events_for_registration``).

``person``, sent with ``rules``, before any lock: the organisation found or made, and the
person made. Its row: the person (None when the address is known: the view answers that) and
the organisation (None when another registration made the same organisation while the
statement ran: run again, it finds it).

``lock``: the event's row locked (``FOR UPDATE``, with the lock timeout set first in the same
statement), as ``capacity.lock_event_seats`` locks it.

``write``, sent with ``lock``: in a new snapshot, taken once the lock was granted, so that it
counts every seat given before and reads the seat limits as they are: the registration with its
state (pending, a seat, or the waitlist), its audit entry and its outbox email. Its time is the
web process's clock read before the lock, or, if later, the last registration's time at the
event or the last waitlisting's in the mode: so times follow the order in which the lock was
granted, and the waitlist's order (by time) is first come, first served. Its row: the
registration, its state, its waitlist position, the email and the time. The lock is held from
``lock`` to the commit, with no round trip to the web process between ``lock`` and ``write``;
``person`` keeps the person's and the organisation's rows (and their indexes) out of that time.
"""

import functools
import logging

from django.db import connections

from agenda.models import PUBLIC_STATUSES, Event
from members.models import Organisation, Person

from ..enums import AttendanceMode, EmailKind, EmailStatus, RegistrationStatus
from ..models import (
    AuditEntry,
    OutboxEmail,
    PrivacyNotice,
    Question,
    Registration,
    RegistrationSettings,
)

logger = logging.getLogger(__name__)

NOTICE, REQUIRED_QUESTION, APPROVAL, EVENT = range(4)
PERSON, ORGANISATION = range(2)
REGISTRATION, STATUS, POSITION, EMAIL, REGISTERED_AT = range(5)

# The columns ``write`` fills, and with what: the values the view's ``services.register`` and
# ``members.services`` save for a new person's registration without answers, session picks or
# invitation. A model that gains a column turns the fast path off (every registration goes to
# the view) until the column is added here.
ORGANISATION_VALUES = {
    "name": "%(organisation)s",
    "type": "%(organisation_type)s",
    "country": "%(country)s",
    "created_at": "%(now)s",
}
PERSON_VALUES = {
    "first_name": "%(first_name)s",
    "last_name": "%(last_name)s",
    "email": "%(email)s",
    "job_title": "%(job_title)s",
    "country": "%(country)s",
    "created_at": "%(now)s",
    "organisation_id": "og.id",
    "user_id": "NULL",
    "calendar_token": "%(calendar_token)s",
    "anonymised_at": "NULL",
}
REGISTRATION_VALUES = {
    "status": "st.status",
    "mode": "%(mode)s",
    "token": "%(token)s",
    "language": "%(language)s",
    "accessibility_needs": "%(accessibility_needs)s",
    "dietary_needs": "%(dietary_needs)s",
    "privacy_accepted_at": "st.now",
    "photo_consent": "%(photo_consent)s",
    "waitlisted_at": "CASE WHEN st.status = {waitlisted} THEN st.now END",
    "created_at": "st.now",
    "updated_at": "st.now",
    "event_id": "%(event)s",
    "invitation_id": "NULL",
    "person_id": "%(person)s",
    "privacy_notice_id": "%(notice)s",
    "anonymised_at": "NULL",
    "participant_list_consent": "%(participant_list_consent)s",
}
AUDIT_VALUES = {
    "at": "(SELECT now FROM t)",
    "actor_id": "NULL",
    "actor_label": "'attendee'",
    "action": "'registered'",
    "from_status": "''",
    "to_status": "rg.status",
    "reason": "''",
    "registration_id": "rg.id",
}
OUTBOX_VALUES = {
    "kind": "CASE rg.status {kinds} END",
    "to": "%(email)s",
    "subject": "CASE rg.status {subjects} END",
    "body_text": "''",
    "body_html": "''",
    "attachments": "'[]'::jsonb",
    "status": "'{pending_email}'",
    "attempts": "0",
    "last_error": "''",
    "next_attempt_at": "NULL",
    "created_at": "st.now",
    "sent_at": "NULL",
    "registration_id": "rg.id",
    "context": "jsonb_build_object('language', %(language)s::text, 'status', rg.status,"
    " 'mode', %(mode)s::text, 'waitlist_position', st.position, 'picks', '[]'::jsonb,"
    " 'own_attachments', false, 'extra', '{{}}'::jsonb)",
}
# The email of each state a new registration can take, and the subject's parameter.
EMAIL_KINDS = {
    RegistrationStatus.CONFIRMED: EmailKind.CONFIRMATION,
    RegistrationStatus.WAITLISTED: EmailKind.WAITLISTED,
    RegistrationStatus.PENDING: EmailKind.PENDING,
}


def _columns(model, values: dict[str, str], quote) -> tuple[str, str] | None:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if {field.attname for field in fields} != set(values):
        return None
    return (
        ", ".join(quote(field.column) for field in fields),
        ", ".join(values[field.attname] for field in fields),
    )


def _literal(value: str) -> str:
    # Only the states' own values (letters and underscores) are written into the SQL.
    assert value.replace("_", "").isalpha(), value  # noqa: S101
    return f"'{value}'"


@functools.cache
def statements(alias: str) -> tuple[str, ...] | None:
    """The ``rules``, ``person``, ``lock`` and ``write`` statements; None when the models have
    columns this module does not know."""
    quote = connections[alias].ops.quote_name
    confirmed, waitlisted, pending = (
        _literal(status.value)
        for status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.PENDING,
        )
    )
    in_person = _literal(AttendanceMode.IN_PERSON.value)
    kinds = " ".join(
        f"WHEN {_literal(status.value)} THEN {_literal(kind.value)}"
        for status, kind in EMAIL_KINDS.items()
    )
    subjects = " ".join(
        f"WHEN {_literal(status.value)} THEN %(subject_{status.value})s" for status in EMAIL_KINDS
    )
    registration_values = {
        key: value.replace("{waitlisted}", waitlisted) for key, value in REGISTRATION_VALUES.items()
    }
    outbox_values = {
        **OUTBOX_VALUES,
        "kind": OUTBOX_VALUES["kind"].format(kinds=kinds),
        "subject": OUTBOX_VALUES["subject"].format(subjects=subjects),
        "status": OUTBOX_VALUES["status"].format(pending_email=EmailStatus.PENDING.value),
        "context": OUTBOX_VALUES["context"].format(),
    }
    columns = {
        model: _columns(model, values, quote)
        for model, values in (
            (Organisation, ORGANISATION_VALUES),
            (Person, PERSON_VALUES),
            (Registration, registration_values),
            (AuditEntry, AUDIT_VALUES),
            (OutboxEmail, outbox_values),
        )
    }
    if any(value is None for value in columns.values()):
        logger.warning(
            "The registration fast path is off: the models have columns it does not write"
        )
        return None

    def table(model) -> str:
        return quote(model._meta.db_table)

    def col(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    event_columns = ", ".join(f"e.{quote(f.column)}" for f in Event._meta.concrete_fields)
    public = ", ".join(_literal(status.value) for status in PUBLIC_STATUSES)
    notice_event = col(PrivacyNotice, "event")
    rules = f"""
SELECT
    (SELECT n.id FROM {table(PrivacyNotice)} n
     WHERE n.{notice_event} = e.id OR n.{notice_event} IS NULL
     ORDER BY n.{notice_event} ASC NULLS LAST, n.{col(PrivacyNotice, "published_at")} DESC,
     n.id DESC LIMIT 1),
    EXISTS (SELECT FROM {table(Question)} q
            WHERE q.{col(Question, "event")} = e.id AND q.{col(Question, "required")}),
    EXISTS (SELECT FROM {table(RegistrationSettings)} s
            WHERE s.{col(RegistrationSettings, "event")} = e.id
            AND s.{col(RegistrationSettings, "requires_approval")}),
    {event_columns}
FROM {table(Event)} e
WHERE e.{col(Event, "slug")} = %(slug)s AND e.{col(Event, "status")} IN ({public})
"""  # noqa: S608
    # set_config() is SET LOCAL with a parameter; as a condition on the row found it runs before
    # the lock taken above the scan waits for that row.
    lock = f"""
SELECT e.id FROM {table(Event)} e
WHERE e.id = %(event)s AND set_config('lock_timeout', %(lock_timeout)s, true) IS NOT NULL
FOR UPDATE OF e
"""  # noqa: S608
    reg = table(Registration)
    r_event, r_mode, r_status = (col(Registration, f) for f in ("event", "mode", "status"))
    r_waitlisted = col(Registration, "waitlisted_at")
    r_created = col(Registration, "created_at")
    organisation_columns, person_columns, registration_columns, audit_columns, outbox_columns = (
        columns[model] for model in (Organisation, Person, Registration, AuditEntry, OutboxEmail)
    )
    person = f"""
WITH found AS (
    SELECT id FROM {table(Organisation)}
    WHERE lower({col(Organisation, "name")}) = lower(%(organisation)s)
    AND {col(Organisation, "country")} = %(country)s
),
made AS (
    INSERT INTO {table(Organisation)} ({organisation_columns[0]})
    SELECT {organisation_columns[1]} WHERE NOT EXISTS (SELECT FROM found)
    ON CONFLICT DO NOTHING RETURNING id
),
og AS (SELECT id FROM found UNION ALL SELECT id FROM made LIMIT 1),
pe AS (
    INSERT INTO {table(Person)} ({person_columns[0]})
    SELECT {person_columns[1]} FROM og
    ON CONFLICT DO NOTHING RETURNING id
)
SELECT (SELECT id FROM pe), (SELECT id FROM og)
"""  # noqa: S608
    write = f"""
WITH t AS MATERIALIZED (
    SELECT GREATEST(
        %(registered)s::timestamptz,
        (SELECT max(l.{r_created}) FROM {reg} l WHERE l.{r_event} = %(event)s),
        (SELECT max(w.{r_waitlisted}) FROM {reg} w WHERE w.{r_event} = %(event)s
         AND w.{r_mode} = %(mode)s AND w.{r_status} = {waitlisted})
    ) AS now
),
seats AS MATERIALIZED (
    SELECT CASE WHEN %(mode)s = {in_person} THEN e.{col(Event, "capacity_in_person")}
        ELSE e.{col(Event, "capacity_online")} END AS capacity
    FROM {table(Event)} e WHERE e.id = %(event)s
),
s AS MATERIALIZED (
    SELECT CASE
        WHEN %(approval)s THEN {pending}
        WHEN seats.capacity IS NULL THEN {confirmed}
        WHEN (
            SELECT count(*) FROM {reg} c WHERE c.{r_event} = %(event)s AND c.{r_mode} = %(mode)s
            AND c.{r_status} = {confirmed}
        ) < seats.capacity THEN {confirmed}
        ELSE {waitlisted}
    END AS status
    FROM seats
),
st AS (
    SELECT s.status, CASE WHEN s.status = {waitlisted} THEN (
        SELECT count(*) + 1 FROM {reg} w WHERE w.{r_event} = %(event)s AND w.{r_mode} = %(mode)s
        AND w.{r_status} = {waitlisted} AND w.{r_waitlisted} <= t.now
    ) END AS position, t.now
    FROM s, t
),
rg AS (
    INSERT INTO {reg} ({registration_columns[0]})
    SELECT {registration_columns[1]} FROM st
    RETURNING id, {r_status} AS status
),
au AS (
    INSERT INTO {table(AuditEntry)} ({audit_columns[0]})
    SELECT {audit_columns[1]} FROM rg
),
ob AS (
    INSERT INTO {table(OutboxEmail)} ({outbox_columns[0]})
    SELECT {outbox_columns[1]} FROM rg, st
    RETURNING id
)
SELECT rg.id, rg.status, st.position, (SELECT id FROM ob), st.now FROM rg, st
"""  # noqa: S608
    return tuple(" ".join(sql.split()) for sql in (rules, person, lock, write))

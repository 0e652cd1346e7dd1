"""Reads for the door: which events a scanner may work at, its offline list, search and counts.

A device sees only the events it was given; an organiser sees every event, or with an API token
only the token's events. Nothing here returns an email address or a badge code: the offline list
carries each code's SHA-256, which lets a scanner recognise a code it reads without being able
to make one.
"""

import functools
import hashlib
from datetime import datetime
from json.encoder import encode_basestring as _json_string
from typing import Any

from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from agenda.models import ApiToken, Event, Session
from members.models import Organisation, Person
from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.models import Registration, SessionPick

from .enums import BadgeRole
from .models import Badge, CheckIn, Device, ScanLog, code_hash

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20


def public_event_title(*, event_id: int) -> dict[str, str] | None:
    """The slug and title of a public event (a badge of another event names it), else None."""
    event = Event.objects.public().filter(pk=event_id).values("slug", "title").first()
    return dict(event) if event else None


def scanner_event(
    *, slug: str, device: Device | None, api_token: ApiToken | None = None
) -> Event | None:
    """The event of this slug if the scanner may work at it: a device only at the events it was
    given, an organiser with an API token limited to some events (``api_token``, see
    ``agenda.api.scope.scoping_token``) only at those, an organiser otherwise at any. One
    query, as SQL (see below)."""
    owner: Device | ApiToken | None = device if device is not None else api_token
    if owner is None:
        sql = f"SELECT {select_list(Event)} FROM {quoted(Event)} WHERE"  # noqa: S608
        params: list[Any] = [slug]
    else:
        link = type(owner).events.through
        column = "device" if isinstance(owner, Device) else "apitoken"
        sql = (
            f"SELECT {select_list(Event)} FROM {quoted(link)}{join(link, 'event')}"  # noqa: S608
            f" WHERE {quoted(link, column)} = %s AND"
        )
        params = [owner.pk, slug]
    found = fetch_row([Event], f"{sql} {quoted(Event, 'slug')} = %s", params)
    return found[0] if found else None


def active_device(*, token_hash: str) -> Device | None:
    """The scanner device holding the token of this hash, unless revoked. One query, as SQL."""
    found = fetch_row(
        [Device],
        f"SELECT {select_list(Device)} FROM {quoted(Device)}"  # noqa: S608
        f" WHERE {quoted(Device, 'token_hash')} = %s AND {quoted(Device, 'revoked_at')} IS NULL",
        [token_hash],
    )
    return found[0] if found else None


def event_session(*, event: Event, session_id: int) -> Session | None:
    try:
        return Session.objects.get(pk=session_id, event=event)
    except Session.DoesNotExist:
        return None


def _active_checkins(session: Session | None) -> QuerySet[CheckIn]:
    checkins = CheckIn.objects.filter(undone_at__isnull=True)
    if session is None:
        return checkins.filter(session__isnull=True)
    return checkins.filter(session=session)


def _signed_up(session: Session | None) -> set[int] | None:
    """For a session that needs sign-up, the registrations holding a seat in it."""
    if session is None or not session.requires_signup:
        return None
    return set(
        SessionPick.objects.filter(session=session, status=PickStatus.CONFIRMED).values_list(
            "registration_id", flat=True
        )
    )


def checkin_list_json(
    *, event: Event, session: Session | None = None, shows_needs: bool = False
) -> str:
    """Every badge of the event as a scanner needs it to answer offline, sorted by name: the
    entries, as a JSON array.

    A valid badge of a confirmed registration carries the person's name, organisation, role,
    attendance mode, whether they need assistance and when they were checked in (what
    ``_door_data`` gives search); any other badge carries only its status ("revoked",
    "cancelled", …), enough to refuse it. Issue missing badges first
    (``services.issue_missing_badges``). Queries: one, two for a session that needs sign-up.

    The list of a large event holds every one of its badges, so it is made as cheaply as it
    can be: the rows are read as tuples, not model instances, and each entry is written
    straight as JSON rather than made a dict and then encoded, which cost twice as much. The
    text is what DRF's JSON renderer makes of the same entries: compact, strings encoded by
    the standard library's JSON encoder, non-ASCII kept, U+2028 and U+2029 escaped.
    """
    signed_up = _signed_up(session)
    confirmed = RegistrationStatus.CONFIRMED.value
    entries = []
    for (
        code,
        revoked,
        role,
        registration_id,
        status,
        mode,
        needs,
        first_name,
        last_name,
        organisation,
        checked_in_at,
    ) in _checkin_rows(event, session):
        head = f'{{"code_hash":"{code_hash(code)}","status":'
        if revoked:
            entries.append(f'{head}"revoked"}}')
            continue
        if status != confirmed:
            entries.append(f"{head}{_json_string(status)}}}")
            continue
        if signed_up is not None and registration_id not in signed_up:
            status = "not_signed_up"
        name = f"{first_name} {last_name}".strip()
        # As datetime.isoformat() writes the time in UTC (see _UTCText).
        at = f'"{checked_in_at.removesuffix(".000000")}+00:00"' if checked_in_at else "null"
        entry = (
            f'{head}"{status}","registration":{registration_id},'
            f'"name":{_json_string(name)},"organisation":{_json_string(organisation or "")},'
            f'"role":{_json_string(role)},"mode":{_json_string(mode)},'
            f'"needs_assistance":{"true" if needs.strip() else "false"},"checked_in_at":{at}'
        )
        if shows_needs:
            entry += f',"accessibility_needs":{_json_string(needs)}'
        entries.append(entry + "}")
    text = "[" + ",".join(entries) + "]"
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _checkin_rows(event: Event, session: Session | None) -> QuerySet:
    """The badges of the event with what their entries show, in the list's order.

    The check-in is joined, not looked up per badge: a registration has at most one check-in
    not undone at the door, and one per session (the constraints of ``CheckIn``). Its event,
    the registration's, lets the database read only this event's check-ins.
    """
    checkin = Q(registration__checkins__event=event, registration__checkins__undone_at__isnull=True)
    if session is None:
        checkin &= Q(registration__checkins__session__isnull=True)
    else:
        checkin &= Q(registration__checkins__session=session)
    return (
        Badge.objects.filter(event=event)
        .annotate(active_checkin=FilteredRelation("registration__checkins", condition=checkin))
        .order_by(
            "registration__person__last_name",
            "registration__person__first_name",
            "-issued_at",
            "-pk",
        )
        .values_list(
            "code",
            ExpressionWrapper(Q(revoked_at__isnull=False), output_field=BooleanField()),
            "role",
            "registration_id",
            "registration__status",
            "registration__mode",
            "registration__accessibility_needs",
            "registration__person__first_name",
            "registration__person__last_name",
            "registration__person__organisation__name",
            _UTCText("active_checkin__at"),
        )
    )


class _UTCText(Func):
    """A date and time as text, in UTC: ``YYYY-MM-DDTHH:MM:SS.ffffff`` on PostgreSQL, and on
    SQLite as Django stores it with a ``T`` (no fraction when it is zero). Both become what
    ``datetime.isoformat()`` writes once a ``.000000`` is dropped and ``+00:00`` added.

    The offline list carries a check-in time for every person checked in, and making each a
    ``datetime`` (which Django's PostgreSQL adapter does in Python) only to write it back as
    text cost more than the rest of reading the list.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="replace(%(expressions)s, ' ', 'T')", **extra_context
        )


def _door_data(
    registration: Registration, role: str, checked_in_at: datetime | None, shows_needs: bool
) -> dict[str, Any]:
    person = registration.person
    data = {
        "registration": registration.pk,
        "name": person.full_name,
        "organisation": person.organisation.name if person.organisation else "",
        "role": role,
        "mode": registration.mode,
        "needs_assistance": bool(registration.accessibility_needs.strip()),
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
    }
    if shows_needs:
        data["accessibility_needs"] = registration.accessibility_needs
    return data


# --- the offline list's version ------------------------------------------------------------------
#
# A scanner asks for its list every minute with the ETag of the one it holds; most of the time
# nothing changed, and building the list of a large event to find that out cost far more than the
# list is worth. On PostgreSQL the version of the list comes from one aggregate query instead:
# per table that feeds an entry (badges, registrations, people, organisations, check-ins, the
# session's seats), the count of the event's rows and the sum of a hash of their ``xmin``.
# PostgreSQL stamps every row version it writes with the id of the writing transaction
# (``xmin``), never the id of the version it replaces, so any insert, update or delete of such a
# row changes the version, whichever way it was written (the ORM, ``QuerySet.update``,
# ``bulk_update``, the admin, SQL). The ids are hashed (64 bits) so that changes cannot cancel
# out in the sum, as ids themselves could (one transaction rewriting rows last written just
# before and just after it started). A change that alters nothing (a row saved as it was)
# changes the version too: the scanner then fetches a list equal to its own, once.
# Other databases (SQLite, for development and tests) have no such column: there the version is
# a digest of the list itself (``checkin_list_digest``), made every time.

CHECKIN_LIST_FORMAT = 1  # raised when an entry's layout changes, so every scanner fetches anew


def _xmin_sum(alias: str) -> str:
    return f"SUM(hashint8extended(CAST(CAST({alias}.xmin AS text) AS bigint), 0))"


@functools.cache
def _version_sql(by_session: bool, with_picks: bool) -> str:
    badge, checkin, registration = quoted(Badge), quoted(CheckIn), quoted(Registration)
    person, organisation = quoted(Person), quoted(Organisation)
    checkin_session = (
        f"{quoted(CheckIn, 'session')} = %(session)s"
        if by_session
        else f"{quoted(CheckIn, 'session')} IS NULL"
    )
    parts = [
        f"SELECT COUNT(*), {_xmin_sum(badge)} FROM {badge}"  # noqa: S608
        f" WHERE {quoted(Badge, 'event')} = %(event)s",
        f"SELECT COUNT(*), {_xmin_sum(registration)}, {_xmin_sum(person)},"  # noqa: S608
        f" COUNT({quoted(Organisation, 'id')}), {_xmin_sum(organisation)}"
        f" FROM {registration}{join(Registration, 'person')}"
        f"{join(Person, 'organisation', outer=True)}"
        f" WHERE {quoted(Registration, 'event')} = %(event)s",
        f"SELECT COUNT(*), {_xmin_sum(checkin)} FROM {checkin}"  # noqa: S608
        f" WHERE {quoted(CheckIn, 'event')} = %(event)s AND {checkin_session}",
    ]
    if with_picks:
        pick = quoted(SessionPick)
        parts.append(
            f"SELECT COUNT(*), {_xmin_sum(pick)} FROM {pick}"  # noqa: S608
            f" WHERE {quoted(SessionPick, 'session')} = %(session)s"
        )
    joined = ", ".join(f"({part}) AS part_{n}" for n, part in enumerate(parts))
    return f"SELECT * FROM {joined}"  # noqa: S608


def checkin_list_version(
    *, event: Event, session: Session | None = None, shows_needs: bool = False
) -> str | None:
    """A string that changes whenever ``checkin_list_json`` with these arguments would change,
    and whenever a confirmed registration of the event comes to need a new badge
    (``services.issue_missing_badges``); None on a database other than PostgreSQL.

    Read it before issuing missing badges and before reading the list: a list read later is
    then never older than its version. Queries: one (none without PostgreSQL).
    """
    connection = connections[router.db_for_read(Badge)]
    if connection.vendor != "postgresql":
        return None
    with_picks = bool(session is not None and session.requires_signup)
    with connection.cursor() as cursor:
        cursor.execute(
            _version_sql(session is not None, with_picks),
            {"event": event.pk, "session": session.pk if session else None},
        )
        counts = cursor.fetchone()
    return ":".join(
        str(value)
        for value in (
            CHECKIN_LIST_FORMAT,
            event.pk,
            session.pk if session else "-",
            int(with_picks),
            int(shows_needs),
            *counts,
        )
    )


def checkin_list_digest(
    *, entries_json: str, session: Session | None = None, shows_needs: bool = False
) -> str:
    """The version of a list already made (``checkin_list_json``), for a database where
    ``checkin_list_version`` has none: a digest of the list itself."""
    digest = hashlib.sha256(entries_json.encode()).hexdigest()
    return f"{CHECKIN_LIST_FORMAT}:{session.pk if session else '-'}:{int(shows_needs)}:{digest}"


def search_attendees(
    *, event: Event, query: str, session: Session | None = None, shows_needs: bool = False
) -> list[dict[str, Any]]:
    """Registrations of the event whose name or email matches every word of ``query``.

    At most ``SEARCH_LIMIT``, sorted by name; a query shorter than ``SEARCH_MIN_LENGTH`` finds
    nobody. The email is searched, never returned. Queries: one.
    """
    words = query.split()
    if len(query.strip()) < SEARCH_MIN_LENGTH or not words:
        return []
    registrations = Registration.objects.filter(event=event)
    for word in words[:5]:
        registrations = registrations.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    role = Subquery(
        Badge.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True).values("role")[
            :1
        ]
    )
    checked_in_at = Subquery(
        _active_checkins(session).filter(registration=OuterRef("pk")).values("at")[:1]
    )
    registrations = registrations.select_related("person__organisation").annotate(
        badge_role=role, checked_in_at=checked_in_at
    )
    if session is not None and session.requires_signup:
        registrations = registrations.annotate(
            signed_up=Exists(
                SessionPick.objects.filter(
                    registration=OuterRef("pk"), session=session, status=PickStatus.CONFIRMED
                )
            )
        )
    results = []
    for registration in registrations.order_by("person__last_name", "person__first_name", "pk")[
        :SEARCH_LIMIT
    ]:
        status = registration.status
        if status == RegistrationStatus.CONFIRMED and not getattr(registration, "signed_up", True):
            status = "not_signed_up"
        results.append(
            {
                "status": status,
                **_door_data(
                    registration,
                    registration.badge_role or BadgeRole.ATTENDEE,
                    registration.checked_in_at,
                    shows_needs,
                ),
            }
        )
    return results


def checkin_stats(*, event: Event, session: Session | None = None) -> dict[str, int]:
    """Checked in of expected, at the door or at a session, and the conflicts to look at.

    Expected: the confirmed in-person registrations (for a session that needs sign-up, those
    holding a seat in it). Queries: three.
    """
    if session is not None and session.requires_signup:
        expected = SessionPick.objects.filter(
            session=session,
            status=PickStatus.CONFIRMED,
            registration__status=RegistrationStatus.CONFIRMED,
            registration__mode=AttendanceMode.IN_PERSON,
        ).count()
    else:
        expected = Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED, mode=AttendanceMode.IN_PERSON
        ).count()
    return {
        "expected": expected,
        "checked_in": _active_checkins(session).filter(event=event).count(),
        "conflicts": ScanLog.objects.filter(event=event, conflict=True).count(),
    }


# --- the scan's statements, as SQL ---------------------------------------------------------------
#
# Every scan reads its device, its event and its badge. Building and compiling these lookups
# through the ORM took more CPU than PostgreSQL took to run them (0.5 to 1.2 ms each on the
# benchmark's machine; docs/benchmarks.md, "Check-in"), so the scan writes them as SQL. The
# select lists come from the models' own metadata, and rows become model instances through the
# fields' own converters, as the ORM makes them: full instances, no deferred field to load later.
# Only names from the models go into the statements; every value is a parameter.


@functools.cache
def quoted(model: type[Model], field: str | None = None) -> str:
    """The model's table, or one of its columns, quoted for the database."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    table = quote(model._meta.db_table)
    return table if field is None else f"{table}.{quote(model._meta.get_field(field).column)}"


@functools.cache
def join(model: type[Model], field: str, *, outer: bool = False) -> str:
    """``JOIN`` of the table that the foreign key ``model.field`` points to."""
    target = model._meta.get_field(field).related_model
    kind = "LEFT OUTER JOIN" if outer else "INNER JOIN"
    return (
        f" {kind} {quoted(target)}"
        f" ON {quoted(target, target._meta.pk.name)} = {quoted(model, field)}"
    )


@functools.cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


@functools.cache
def select_list(model: type[Model]) -> str:
    """Every column of the model, in the order ``models_from_row`` reads them."""
    return ", ".join(quoted(model, field.name) for field in _fields(model))


def models_from_row(connection, models: list[type[Model]], row: tuple) -> list[Model]:
    """One instance of each model, from a row of their select lists one after the other."""
    made = []
    start = 0
    for model in models:
        names, converters = _reading(connection.alias, model)
        values = list(row[start : start + len(names)])
        for index, column, convert in converters:
            values[index] = convert(values[index], column, connection)
        made.append(model.from_db(connection.alias, names, values))
        start += len(names)
    return made


@functools.cache
def _reading(alias: str, model: type[Model]) -> tuple[list[str], list[tuple]]:
    """The attribute names of the model's columns, and the converters their values go through
    (as the ORM's compiler finds them: the backend's, then the field's). They depend on the
    backend and the fields, not on the connection, so one list serves every thread."""
    connection = connections[alias]
    converters = []
    for index, field in enumerate(_fields(model)):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            converters.append((index, column, convert))
    return [field.attname for field in _fields(model)], converters


def fetch_row(
    models: list[type[Model]], sql: str, params: list, *, using: str | None = None
) -> list[Model] | None:
    """The instances of ``models`` made from the statement's first row; None without one."""
    connection = connections[using or router.db_for_read(models[0])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else models_from_row(connection, models, row)

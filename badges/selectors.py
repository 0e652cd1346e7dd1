"""Reads for the door: which events a scanner may work at, its offline list, search and counts.

A device sees only the events it was given; an organiser sees every event, or with an API token
only the token's events. Nothing here returns an email address or a badge code: the offline list
carries each code's SHA-256, which lets a scanner recognise a code it reads without being able
to make one.
"""

import functools
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery

from agenda.models import ApiToken, Event, Session
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


def checkin_list(
    *, event: Event, session: Session | None = None, shows_needs: bool = False
) -> list[dict[str, Any]]:
    """Every badge of the event as a scanner needs it to answer offline, sorted by name.

    A valid badge of a confirmed registration carries the person's name, organisation, role,
    attendance mode, whether they need assistance and when they were checked in; any other
    badge carries only its status ("revoked", "cancelled", …), enough to refuse it.
    Issue missing badges first (``services.issue_missing_badges``). Queries: one, two for a
    session that needs sign-up.
    """
    checked_in_at = Subquery(
        _active_checkins(session).filter(registration=OuterRef("registration")).values("at")[:1]
    )
    badges = (
        Badge.objects.filter(event=event)
        .select_related("registration__person__organisation")
        .annotate(checked_in_at=checked_in_at)
        .order_by(
            "registration__person__last_name", "registration__person__first_name", "-issued_at"
        )
    )
    signed_up = _signed_up(session)
    entries = []
    for badge in badges:
        registration = badge.registration
        entry: dict[str, Any] = {"code_hash": code_hash(badge.code)}
        if badge.revoked_at is not None:
            entry["status"] = "revoked"
        elif registration.status != RegistrationStatus.CONFIRMED:
            entry["status"] = registration.status
        else:
            if signed_up is not None and registration.pk not in signed_up:
                entry["status"] = "not_signed_up"
            else:
                entry["status"] = RegistrationStatus.CONFIRMED
            entry.update(_door_data(registration, badge.role, badge.checked_in_at, shows_needs))
        entries.append(entry)
    return entries


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

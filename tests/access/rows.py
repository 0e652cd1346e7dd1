"""Whether a request wrote anything: every row of every table, before and after.

A snapshot holds each model's rows (concrete field values by primary key), many-to-many
tables included, so a new, changed or deleted row anywhere shows in the difference, audit
tables and changed-at columns with the rest. The world is small (a few hundred rows), so this
costs milliseconds.

"Side A's rows" are found by following foreign keys: the rows of A's events and people, and
every row that points at one of them, and so on.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import connection, models

# Bookkeeping about the caller's own credential, written when it is used (a device's or a
# token's "last seen"): not a write on anyone's data.
CREDENTIAL_FIELDS = {"last_seen_at", "last_used_at", "last_login"}

Snapshot = dict[str, dict[object, tuple]]


@cache
def _models() -> tuple[type[models.Model], ...]:
    return tuple(apps.get_models(include_auto_created=True))


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


@cache
def _selects() -> tuple[tuple[str, str, int], ...]:
    """Per model: its label, the SQL that reads all its rows, and where its key is in a row."""
    quote = connection.ops.quote_name
    selects = []
    for model in _models():
        columns = [f.column for f in _fields(model)]
        sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"  # noqa: S608
        selects.append((model._meta.label, sql, columns.index(model._meta.pk.column)))
    return tuple(selects)


def snapshot() -> Snapshot:
    """Every row of every table, as the database returns it (plain SQL: this runs twice per
    request tried, and the ORM's per-query work would be most of the module's time)."""
    rows: Snapshot = {}
    with connection.cursor() as cursor:
        for label, sql, pk_index in _selects():
            cursor.execute(sql)
            rows[label] = {row[pk_index]: tuple(row) for row in cursor.fetchall()}
    return rows


@dataclass(frozen=True)
class Change:
    model: str
    pk: object
    kind: str  # "new", "changed" or "deleted"
    fields: tuple[str, ...]
    row: tuple

    def __str__(self) -> str:
        what = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.kind} {self.model} #{self.pk}{what}"


def difference(before: Snapshot, after: Snapshot) -> list[Change]:
    changes = []
    by_label = {model._meta.label: model for model in _models()}
    for label, rows in after.items():
        old_rows = before.get(label, {})
        names = [f.attname for f in _fields(by_label[label])]
        for pk, row in rows.items():
            old = old_rows.get(pk)
            if old is None:
                changes.append(Change(label, pk, "new", (), row))
            elif old != row:
                changed = tuple(name for name, x, y in zip(names, old, row, strict=True) if x != y)
                if not set(changed) <= CREDENTIAL_FIELDS:
                    changes.append(Change(label, pk, "changed", changed, row))
        for pk, row in old_rows.items():
            if pk not in rows:
                changes.append(Change(label, pk, "deleted", (), row))
    return changes


Owned = dict[str, set]


def owned_rows(rows: Snapshot, seeds: dict[type[models.Model], set]) -> Owned:
    """The rows that belong to a side: the seeds and, transitively, every row pointing at one."""
    owned: Owned = {model._meta.label: set(pks) for model, pks in seeds.items()}
    links = _links()
    grew = True
    while grew:
        grew = False
        for label, fk_columns in links.items():
            mine = owned.setdefault(label, set())
            for pk, row in rows.get(label, {}).items():
                if pk not in mine and _points_at(row, fk_columns, owned):
                    mine.add(pk)
                    grew = True
    return owned


def touches(change: Change, owned: Owned) -> bool:
    """Whether a change is to one of the owned rows, or makes a row that points at one."""
    if change.pk in owned.get(change.model, set()):
        return True
    return _points_at(change.row, _links().get(change.model, []), owned)


@cache
def _links() -> dict[str, list[tuple[int, str]]]:
    """Per model, its foreign-key columns: (position in the row, label of the model pointed at)."""
    links = {}
    for model in _models():
        columns = []
        for index, f in enumerate(_fields(model)):
            if f.is_relation and f.related_model is not None:
                columns.append((index, f.related_model._meta.label))
        links[model._meta.label] = columns
    return links


def _points_at(row: tuple, fk_columns: list[tuple[int, str]], owned: Owned) -> bool:
    return any(
        row[index] is not None and row[index] in owned.get(target, ())
        for index, target in fk_columns
    )

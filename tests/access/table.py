"""docs/access-matrix.md: the matrix as people read it, and as the tests read it back.

Each cell shows the status the caller got, marked "✓" where it is the positive control, "own"
where attendee B used B's own secret, "empty" where a list answered without anything of A's.
The tests compare every status with the one written here, so the page stays true; after a
deliberate change, write it again with ``ACCESS_MATRIX_WRITE=1 pytest tests/test_access_matrix.py``.
"""

from pathlib import Path

from .matrix import ACTORS, CELLS, ENDPOINTS, EXCLUDED, Kind, Outcome
from .routes import Route

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "access-matrix.md"
NOT_A_CELL = "·"

SECTIONS = (
    (Kind.PUBLIC, "Public"),
    (Kind.TOKEN, "Personal links (token in the address)"),
    (Kind.ORGANISER, "Organisers' API"),
    (Kind.SCANNER, "Check-in API (scanners and organisers)"),
    (Kind.PAGE, "Organisers' pages (admin session only)"),
)

INTRODUCTION = """\
# Access matrix

Who may read or change what, endpoint by endpoint: every URL pattern of the site is tried by
every kind of caller, with every method it routes, and each cell below is the status the caller
got. Written by `tests/test_access_matrix.py`, which fails when a status differs from this page,
when a URL pattern is in neither the matrix nor its exclusions, or when a view routes a method
the matrix does not try. After a deliberate change, write the page again:
`ACCESS_MATRIX_WRITE=1 .venv/bin/pytest tests/test_access_matrix.py`.

## The world

Two symmetric sides. Each has an event happening now (hybrid, with a plenary and a workshop that
needs sign-up), an event that ended yesterday (certificate, join link, feedback survey), its
attendee (confirmed in person, with a badge and a door check-in; an online attendee of the
ended event), registrations waiting for an organiser (pending, waitlisted, declined), a
data-protection access request, a made report and a made print run, and a published document. A
scanner device may work at event A only; an organiser (staff, in the organisers group) has an API
token limited to event B. A is the victim: wherever a request names an id, it names one of A's.

## The callers

| caller | credential | names |
| --- | --- | --- |
| anonymous | none; a guessed token in a personal address | A's things |
| attendee A | A's tokens in personal addresses; as an API key elsewhere | A's things |
| attendee B | B's tokens in personal addresses (A's ids in them); as an API key elsewhere | A's |
| device of A | `Device <token>`; the token in a personal address | event A |
| device of A, at B | the same | event B |
| organiser of B, at A | `Token <key>`, event B only; the key in a personal address | event A |
| organiser of B | the same | event B |

## What each cell must be

- **✓** (positive control): 2xx or 3xx, not a redirect to sign in.
- **own**: attendee B with B's own token: any answer but a server error; no row of side A
  changed or pointed at, nothing of A's in the answer.
- **empty**: a list outside the caller's events: 200 without anything of A's, or refused.
- plain status, for a caller refused: 401, 403, 404 or 405 (an organisers' page may instead
  send to sign in: 302), no row written anywhere, nothing of A's (emails, names, badge codes,
  tokens) in the answer or its `Location`.
- plain status, on a public endpoint: any answer but a server error; rows written only where
  the endpoint writes by design (its note), nothing of A's in the answer.
- `·`: not a cell (public and personal-link endpoints name side A's things only).

"No row written" is checked on every row of every table (audit tables and changed-at columns
included); the only writes ignored are a credential's own "last used" time.

Beyond the grid, the same module tries the other side's ids inside requests to the caller's own
event (a device of A scanning B's badge or registration at A, or into B's session; an organiser
of B scanning A's badge at B, sending a batch with one scan at A, listing registrations without
a filter), and a stranger typing A's address into a registration form (for another event, and
again after A's registration was cancelled): the answer must hold no personal link of A's.
"""


def cell_text(outcome: Outcome, status: int) -> str:
    if outcome == Outcome.OK:
        return f"{status} ✓"
    if outcome == Outcome.OWN:
        return f"{status} own"
    if outcome == Outcome.NO_DATA and 200 <= status < 300:
        return f"{status} empty"
    return str(status)


def render(texts: dict[tuple[str, str, str], str], routes: list[Route]) -> str:
    """The page, from each cell's text by (endpoint, method, actor) and the resolver's routes."""
    lines = [INTRODUCTION]
    header = "| endpoint | method | " + " | ".join(a.label for a in ACTORS) + " |"
    rule = "| --- | --- | " + " | ".join("---" for _ in ACTORS) + " |"
    for kind, title in SECTIONS:
        lines += [f"## {title}", "", header, rule]
        for endpoint in ENDPOINTS:
            if endpoint.kind != kind:
                continue
            for method in endpoint.methods:
                cells = [
                    texts.get((endpoint.name, method, actor.name), "?")
                    if actor in endpoint.actors
                    else NOT_A_CELL
                    for actor in ACTORS
                ]
                lines.append(f"| `{endpoint.name}` | {method} | " + " | ".join(cells) + " |")
        notes = [e for e in ENDPOINTS if e.kind == kind and e.note]
        if notes:
            lines.append("")
            lines += [f"- `{e.name}`: {e.note}." for e in notes]
        lines.append("")
    lines += ["## Every URL pattern", "", "| route | name | class |", "| --- | --- | --- |"]
    kinds = {endpoint.name: endpoint.kind for endpoint in ENDPOINTS}
    for route in routes:
        if "admin" not in route.namespaces:
            kind = kinds.get(route.key, "excluded")
            lines.append(f"| `/{route.route}` | `{route.name or '-'}` | {kind} |")
    lines += ["", "## Outside the matrix", "", f"- `admin`: {EXCLUDED['admin']}."]
    lines += [f"- `{key}`: {why}." for key, why in EXCLUDED.items() if key != "admin"]
    lines.append(
        "- Format-suffix patterns of the API's routers (`.json`, `.api`) answer through the same "
        "views and checks as the entry of the same name."
    )
    return "\n".join(lines) + "\n"


def read() -> dict[tuple[str, str, str], str]:
    """The cells written in the page, by (endpoint, method, actor)."""
    texts: dict[tuple[str, str, str], str] = {}
    if not DOCUMENT.exists():
        return texts
    for line in DOCUMENT.read_text().splitlines():
        parts = [part.strip() for part in line.strip().strip("|").split("|")]
        if len(parts) != 2 + len(ACTORS) or not parts[0].startswith("`"):
            continue
        name, method = parts[0].strip("`"), parts[1]
        for actor, text in zip(ACTORS, parts[2:], strict=True):
            if text != NOT_A_CELL:
                texts[(name, method, actor.name)] = text
    return texts


def cell_keys() -> set[tuple[str, str, str]]:
    return {(c.endpoint.name, c.method, c.actor.name) for c in CELLS}

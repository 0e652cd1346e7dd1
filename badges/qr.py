"""The QR code printed on a badge, as vector graphics.

A badge code is upper-case letters, digits and '-', so segno picks the compact alphanumeric
mode: a 41-character code fits a version 3 symbol (29 modules) at error correction M, which a
phone reads at arm's length and which survives a crease or a smudge on a printed badge.

Two forms of the same symbol: ``qr_svg`` for HTML (and any WeasyPrint page that shows a few
codes), and ``qr_pdf_operators``, plain PDF rectangles that ``badges.pdf`` paints straight into
a badge page, which is what keeps a print run of a thousand badges fast: WeasyPrint parses and
draws an SVG path in Python, command by command, and a QR code has hundreds of them.
"""

import io
import re

import segno

# The quiet zone that the QR standard asks for, in modules; scanners need it to find the symbol.
QUIET_ZONE = 4

# segno scores all eight mask patterns and keeps the best, which takes five times as long as
# making the symbol. Badge codes are random letters, so every mask gives an even, scannable
# pattern; a fixed one keeps a print run of a thousand codes from spending seconds on scoring.
MASK = 0

# A badge code (39 to 48 characters, badges/codes.py) always takes a version 3 symbol at level M,
# which holds 61 alphanumeric characters (version 2 holds 38): naming the version and the mode
# spares segno its search, a quarter of its time per code. Anything else is left to segno.
BADGE_VERSION, BADGE_VERSION_CAPACITY = 3, 61
ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")


def _symbol(code: str) -> segno.QRCode:
    if len(code) <= BADGE_VERSION_CAPACITY and ALPHANUMERIC.fullmatch(code):
        return segno.make_qr(
            code,
            error="m",
            boost_error=False,
            mask=MASK,
            version=BADGE_VERSION,
            mode="alphanumeric",
        )
    return segno.make(code, error="m", boost_error=False, micro=False, mask=MASK)


def qr_svg(code: str, *, color: str = "#000") -> str:
    """An inline ``<svg>`` element of ``code``: one path of horizontal strokes, no size.

    The ``viewBox`` keeps it scalable: the surrounding CSS gives it its displayed size.
    """
    out = io.BytesIO()
    _symbol(code).save(
        out,
        kind="svg",
        border=QUIET_ZONE,
        dark=color,
        xmldecl=False,
        svgns=True,
        svgclass=None,
        lineclass=None,
        omitsize=True,
        nl=False,
    )
    return out.getvalue().decode("ascii")


def qr_modules(code: str) -> int:
    """Modules across the symbol of ``code``, quiet zone included."""
    return _symbol(code).symbol_size(border=QUIET_ZONE)[0]


def qr_pdf_operators(code: str, *, x: float, y: float, size: float) -> bytes:
    """PDF operators that fill the dark modules of ``code`` in the square at (x, y), ``size`` wide.

    Coordinates are those of the page's current transformation (WeasyPrint's pages run top to
    bottom), the quiet zone is inside the square. Every run of dark modules in a row is one
    rectangle, all filled at once in black.
    """
    matrix = _symbol(code).matrix
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    parts = [b"q 0 0 0 rg"]
    for row_index, row in enumerate(matrix):
        top = y + (row_index + QUIET_ZONE) * module
        column, width = 0, len(row)
        while column < width:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < width and row[column]:
                column += 1
            left = x + (start + QUIET_ZONE) * module
            parts.append(b"%.3f %.3f %.3f %.3f re" % (left, top, (column - start) * module, module))
    parts.append(b"f Q")
    return b"\n".join(parts)

"""Badge PDFs, drawn by WeasyPrint from the templates in ``templates/badges/``.

Two layouts: ``A6``, one badge per page, for attendees who print their own; and ``A4``, four
A6 badges per sheet with cut marks, for the organisers' print run.

What goes on a badge is gathered into a ``BadgeFace`` first, so that templates never query the
database and a print run fetches everything in one query. A name gets a size class from its
length, worked out here, because WeasyPrint cannot shrink text to fit its box.

Large runs are rendered in chunks (``render_chunks``): WeasyPrint lays out each chunk on its own,
which bounds the memory held at once, and the pages of all chunks are written as one PDF. What
the badges of a run share is laid out once and stamped onto every sheet (``Stamps``).
"""

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import get_language

from agenda.models import Event

from .enums import BadgeRole
from .models import Badge
from .qr import qr_pdf_operators, qr_svg


class Layout(StrEnum):
    A6 = "a6"
    A4 = "a4"


BADGES_PER_PAGE = {Layout.A6: 1, Layout.A4: 4}

LOGO = Path(__file__).resolve().parent / "static" / "badges" / "badge-logo.png"

# (size class, characters that fit on one line of the name, lines the name may take). Measured
# with DejaVu Sans Condensed Bold on an A6 badge, with Greek and Cyrillic, whose letters are wider
# than Latin ones. The last class also breaks inside words that are longer than a line.
NAME_SIZES: tuple[tuple[str, int, int], ...] = (
    ("xl", 10, 2),
    ("l", 13, 3),
    ("m", 17, 3),
    ("s", 21, 4),
    ("xs", 10_000, 10_000),
)


def _lines(text: str, width: int) -> int | None:
    """Lines that ``text`` takes when wrapped at spaces and after hyphens; None if a word is too
    long for a line."""
    lines, current, joiner = 0, 0, 0
    for word in re.findall(r"[^\s-]+-?|-", text):
        if len(word) > width:
            return None
        if current and current + joiner + len(word) <= width:
            current += joiner + len(word)
        else:
            lines += 1
            current = len(word)
        joiner = 0 if word.endswith("-") else 1
    return lines


def name_size(first_name: str, last_name: str) -> str:
    """The largest size class at which the name fits its lines, first and last name apart."""
    for size, width, max_lines in NAME_SIZES:
        first = _lines(first_name.strip(), width)
        last = _lines(last_name.strip(), width)
        if first is not None and last is not None and first + last <= max_lines:
            return size
    return NAME_SIZES[-1][0]


def text_direction(text: str) -> str:
    """ "rtl" for a name written in Arabic or Hebrew script, so it is set from the right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class EventHeading:
    """The event as every badge of it shows it: title, place and dates in its own time zone."""

    title: str
    place: str
    dates: str


@dataclass(frozen=True)
class BadgeFace:
    """Everything printed on one badge."""

    first_name: str
    last_name: str
    organisation: str
    country: str
    role: str
    role_label: str
    code: str
    photo_consent: bool

    @property
    def name_size(self) -> str:
        return name_size(self.first_name, self.last_name)

    @property
    def name_dir(self) -> str:
        return text_direction(f"{self.first_name}{self.last_name}")

    @property
    def qr_svg(self) -> str:
        return qr_svg(self.code)


def event_heading(event: Event) -> EventHeading:
    """Title, city and dates of ``event``, the dates in the event's time zone and the language."""
    start, end = event.local(event.start), event.local(event.end)
    if start.date() == end.date():
        dates = formats.date_format(start, "DATE_FORMAT")
    else:
        dates = "{} – {}".format(
            formats.date_format(start, "DATE_FORMAT"), formats.date_format(end, "DATE_FORMAT")
        )
    place = event.venue.city if event.venue_id and event.venue else ""
    return EventHeading(title=event.title, place=place, dates=dates)


def badge_face(badge: Badge) -> BadgeFace:
    """The face of ``badge``; expects its registration, person and organisation fetched along."""
    registration = badge.registration
    person = registration.person
    organisation = person.organisation
    country = person.country or (organisation.country if organisation else "")
    return BadgeFace(
        first_name=person.first_name,
        last_name=person.last_name,
        organisation=organisation.name if organisation else "",
        country=country.name if country else "",
        role=badge.role,
        role_label=str(BadgeRole(badge.role).label),
        code=badge.code,
        photo_consent=registration.photo_consent,
    )


# --- rendering -----------------------------------------------------------------------------------


class QrMode(StrEnum):
    # Painted into the PDF by ``_paint_qr_codes``: what every badge PDF of the site uses.
    PAINTED = "painted"
    # An inline SVG in the HTML, left to WeasyPrint: the straightforward way, about three times
    # as slow per badge; kept to measure the print run against (bench/print_run.py).
    INLINE_SVG = "inline_svg"


def _anchor(index: int) -> str:
    return f"qr{index}"


def _paint_qr_codes(codes: Sequence[str]) -> Callable:
    """A WeasyPrint finisher that paints each badge's QR code into the box kept for it.

    The template gives each QR box an id; WeasyPrint reports where every id landed on its page
    (``Page.anchors``, in CSS pixels from the top left), and the page's content stream, once
    drawn, is left in a top-down frame in points, hence the scale of 0.75 (72 pt / 96 px).
    """

    def finisher(document, pdf) -> None:
        kids = pdf.pages["Kids"]
        for page_index, page in enumerate(document.pages):
            page_object = pdf.objects[kids[page_index * 3]]
            stream = pdf.objects[int(page_object["Contents"].split()[0])]
            operators = [b"q 0.75 0 0 0.75 0 0 cm"]
            for name, (x1, y1, x2, _y2) in page.anchors.items():
                if name.startswith("qr"):
                    code = codes[int(name[2:])]
                    operators.append(qr_pdf_operators(code, x=x1, y=y1, size=x2 - x1))
            operators.append(b"Q")
            stream.stream.append(b"\n".join(operators))

    return finisher


class Renderer:
    """Renders badges of one event in one layout, reusing the parsed stylesheet and fonts.

    Parsing the stylesheet and loading fonts are the same for every chunk of a print run; one
    renderer does them once. A ``stamped`` renderer lays out only what differs from badge to
    badge; ``Stamps`` adds the rest.
    """

    def __init__(
        self,
        *,
        heading: EventHeading,
        layout: Layout,
        qr: QrMode = QrMode.PAINTED,
        stamped: bool = False,
    ) -> None:
        # Imported here: WeasyPrint takes a second to load, which no other page should wait for.
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.heading = heading
        self.layout = Layout(layout)
        self.qr = QrMode(qr)
        self.stamped = stamped
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=render_to_string(
                "badges/badge.css", {"layout": self.layout.value, "logo_url": LOGO.as_uri()}
            ),
            font_config=self.font_config,
        )

    def html(self, faces: Sequence[BadgeFace], *, first_index: int = 0) -> str:
        """The HTML of ``faces``; their QR boxes are numbered from ``first_index``."""
        per_page = BADGES_PER_PAGE[self.layout]
        placed = [(_anchor(first_index + i), face) for i, face in enumerate(faces)]
        return render_to_string(
            "badges/badge.html",
            {
                "pages": [placed[i : i + per_page] for i in range(0, len(placed), per_page)],
                "layout": self.layout.value,
                "inline_qr": self.qr == QrMode.INLINE_SVG,
                "stamped": self.stamped,
                "event": self.heading,
                "LANGUAGE_CODE": get_language(),
            },
        )

    def render_html(self, html: str):
        """The WeasyPrint document of ``html``, with this renderer's stylesheet and fonts."""
        from weasyprint import HTML

        return HTML(string=html).render(stylesheets=[self.stylesheet], font_config=self.font_config)

    def document(self, faces: Sequence[BadgeFace], *, first_index: int = 0):
        return self.render_html(self.html(faces, first_index=first_index))

    def write(self, document, codes: Sequence[str], target: BinaryIO | None = None) -> bytes | None:
        finisher = _paint_qr_codes(codes) if self.qr == QrMode.PAINTED else None
        return document.write_pdf(target, finisher=finisher)

    def pdf(self, faces: Sequence[BadgeFace], target: BinaryIO | None = None) -> bytes | None:
        """The badges of ``faces`` as one PDF, written to ``target`` or returned."""
        return self.write(self.document(faces), [face.code for face in faces], target)


class Stamps:
    """What many badges of a print run share, laid out once and drawn onto every sheet.

    The event's heading with its logo, the band of each role, the no-photo mark and the A4
    sheet's cut marks are the same on every badge that has them, yet WeasyPrint would lay out,
    break into lines and draw each of them a thousand times (about two fifths of a print run's
    time). Instead, ``templates/badges/stamps.html`` lays each out once, on a page of its own in
    the first badge's place, with the same stylesheet; each page becomes a PDF form XObject
    (a drawing that a page can draw as often as it likes) in the print run's file, and every
    sheet draws, under its own content, the heading, role band and no-photo mark of each of its
    badges, moved from the first badge's place to that badge's (found by its QR box, which both
    documents lay out), and the cut marks.
    """

    SHEET = "sheet"

    def __init__(self, renderer: Renderer, writer) -> None:
        from pypdf import PdfReader

        html = render_to_string(
            "badges/stamps.html",
            {
                "layout": renderer.layout.value,
                "roles": BadgeRole.choices,
                "event": renderer.heading,
                "LANGUAGE_CODE": get_language(),
            },
        )
        document = renderer.render_html(html)
        reader = PdfReader(io.BytesIO(document.write_pdf()))
        # Stamp name: its form XObject in ``writer`` and where its QR box is (None: sheet-wide).
        self.forms: dict[str, tuple[Any, tuple[float, float] | None]] = {}
        for page, laid_out in zip(reader.pages, document.pages, strict=True):
            anchors = [(name, (x, y)) for name, (x, y, _, _) in laid_out.anchors.items()]
            name, anchor = anchors[0] if anchors else (self.SHEET, None)
            self.forms[name] = (_form_xobject(page, writer), anchor)
        self.names = {name: f"/BadgeStamp{n}" for n, name in enumerate(self.forms)}

    def parts(self, face: BadgeFace) -> list[str]:
        """The stamps of one badge."""
        parts = ["head", f"role-{face.role}"]
        if not face.photo_consent:
            parts.append("no-photo")
        return parts

    def apply(self, page, anchors: dict[str, tuple], faces: Sequence[BadgeFace], writer) -> None:
        """Draws onto ``page`` (of ``writer``), under its content, the sheet's stamps and those of
        its badges, whose QR boxes its layout placed at ``anchors`` (``qr<n>``: ``faces[n]``)."""
        from pypdf.generic import (
            ArrayObject,
            DecodedStreamObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
        )

        placed = [(self.SHEET, None)] if self.SHEET in self.forms else []
        for anchor, (x, y, _, _) in anchors.items():
            if anchor.startswith("qr"):
                placed += [(part, (x, y)) for part in self.parts(faces[int(anchor[2:])])]
        operators = []
        for part, at in placed:
            origin = self.forms[part][1]
            # Anchors are in CSS pixels from the top left of the page, PDF space in points from
            # its bottom left: a move right and down is a positive x and a negative y.
            dx, dy = (at[0] - origin[0], at[1] - origin[1]) if at and origin else (0.0, 0.0)
            operators.append(
                b"q 1 0 0 1 %.4f %.4f cm %s Do Q"
                % (dx * 0.75, -dy * 0.75, self.names[part].encode())
            )
        resources = page["/Resources"].get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        for part in {part for part, _ in placed}:
            xobjects[NameObject(self.names[part])] = self.forms[part][0]
        stamps = DecodedStreamObject()
        stamps.set_data(b"\n".join(operators))
        contents = page.raw_get("/Contents")
        if isinstance(contents.get_object(), ArrayObject):
            streams = list(contents.get_object())
        else:
            is_reference = isinstance(contents, IndirectObject)
            streams = [contents if is_reference else writer._add_object(contents)]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(stamps), *streams])


def _form_xobject(page, writer):
    """``page`` of another PDF as a form XObject added to ``writer``: its drawing, its resources
    (fonts, images) copied along."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in page.mediabox)
    form[NameObject("/Resources")] = page["/Resources"].get_object().clone(writer)
    # pypdf has no public call that adds a new object to a writer.
    return writer._add_object(form.flate_encode())


def render_badges(
    faces: Sequence[BadgeFace],
    *,
    heading: EventHeading,
    layout: Layout = Layout.A6,
    qr: QrMode = QrMode.PAINTED,
) -> bytes:
    """One PDF of ``faces`` laid out as one WeasyPrint document: right for a few badges."""
    return Renderer(heading=heading, layout=layout, qr=qr).pdf(faces)


def render_chunks(
    faces: Sequence[BadgeFace],
    *,
    heading: EventHeading,
    layout: Layout,
    target: BinaryIO,
    chunk_size: int = 100,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Writes the badges of ``faces`` to ``target`` as one PDF, laid out chunk by chunk.

    ``chunk_size`` is rounded down to whole pages, so every sheet but the last is full.
    ``on_progress`` is called with the number of badges laid out after each chunk. What badges
    share is laid out once (``Stamps``).
    """
    from pypdf import PdfReader, PdfWriter

    renderer = Renderer(heading=heading, layout=layout, stamped=True)
    per_page = BADGES_PER_PAGE[renderer.layout]
    chunk_size = max(per_page, chunk_size - chunk_size % per_page)
    merged = PdfWriter()
    stamps = Stamps(renderer, merged)
    for start in range(0, len(faces), chunk_size):
        chunk = faces[start : start + chunk_size]
        document = renderer.document(chunk)
        reader = PdfReader(io.BytesIO(renderer.write(document, [face.code for face in chunk])))
        for page, laid_out in zip(reader.pages, document.pages, strict=True):
            stamps.apply(merged.add_page(page), laid_out.anchors, chunk, merged)
        if on_progress is not None:
            on_progress(start + len(chunk))
    merged.write(target)

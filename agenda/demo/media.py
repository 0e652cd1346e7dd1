"""The demo's files, made at load time: PDF documents (WeasyPrint) and abstract images (Pillow).

Both are deterministic, so the same content gives the same file on every machine, and cached in
memory, so loading the demo again in one process (as the tests do) draws each file once.
"""

import io
import logging
import random
from functools import cache
from html import escape

from PIL import Image, ImageDraw, ImageFilter

from agenda.markdown import render_markdown

from .spec import DocumentSpec, EventSpec, PhotoSpec

PDF_STYLE = """
@page { size: A4; margin: 2cm; @bottom-center { content: "Sample document – eventsite demo"; \
font-family: sans-serif; font-size: 8pt; color: #555; } }
body { font-family: sans-serif; font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 18pt; color: #1f4e79; margin-bottom: 0.2em; }
h2 { font-size: 13pt; color: #1f4e79; margin-top: 1.4em; }
.meta { color: #444; margin-top: 0; }
.note { border-left: 3pt solid #f2c14e; padding-left: 0.6em; color: #444; }
table { border-collapse: collapse; width: 100%; }
td { border-bottom: 0.5pt solid #ccc; padding: 0.3em 0.4em; vertical-align: top; }
td.time { white-space: nowrap; width: 6.5em; }
.people { color: #444; font-size: 9.5pt; }
"""

SAMPLE_NOTE = (
    "This document was generated for the eventsite demonstration. Apart from the facts stated "
    "on the event's page, its content is sample data."
)


def _dates(event: EventSpec) -> str:
    first, last = event.start_at, event.end_at
    if first.date() == last.date():
        return f"{first:%d %B %Y}, {first:%H:%M}–{last:%H:%M} (Brussels time)"
    return f"{first:%d %B %Y} – {last:%d %B %Y} (Brussels time)"


def _agenda_html(event: EventSpec, speaker_names: dict[str, str]) -> str:
    parts = []
    current_day = None
    for session in event.sessions:
        start, end = event.session_times(session)
        if start.date() != current_day:
            if current_day is not None:
                parts.append("</table>")
            current_day = start.date()
            parts.append(f"<h2>{start:%A %d %B %Y}</h2><table>")
        where = " · ".join(escape(part) for part in (session.track, session.room) if part)
        people = ", ".join(
            f"{escape(speaker_names[slug])} ({escape(str(role.label))})"
            for slug, role in session.speakers
        )
        parts.append(
            f'<tr><td class="time">{start:%H:%M}–{end:%H:%M}</td><td>'
            f"<strong>{escape(session.title)}</strong>"
            + (f"<br>{where}" if where else "")
            + (f'<div class="people">{people}</div>' if people else "")
            + "</td></tr>"
        )
    if parts:
        parts.append("</table>")
    return "".join(parts)


@cache
def document_pdf(event: EventSpec, document: DocumentSpec, speaker_names: tuple) -> bytes:
    """The PDF of ``document``; its body, or the event's agenda when the body is empty."""
    body = (
        render_markdown(document.body)
        if document.body
        else _agenda_html(event, dict(speaker_names))
    )
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(document.title)} – {escape(event.title)}</title>"
        f"<style>{PDF_STYLE}</style></head><body>"
        f"<h1>{escape(document.title)}</h1>"
        f'<p class="meta">{escape(event.title)}<br>{_dates(event)}</p>'
        f'<p class="note">{escape(SAMPLE_NOTE)}</p>{body}</body></html>'
    )
    # WeasyPrint reports every step at INFO, from its import on, which would drown the
    # command's output.
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)
    try:
        from weasyprint import HTML  # imported late: loading WeasyPrint takes about a second

        return HTML(string=html).write_pdf()
    finally:
        progress.setLevel(level)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


@cache
def illustration_png(photo: PhotoSpec, *, width: int = 960, height: int = 640) -> bytes:
    """An abstract picture: a vertical gradient with blurred, translucent circles."""
    # Not for security: a seeded generator makes the same picture everywhere.
    rng = random.Random(photo.seed)  # noqa: S311
    top, bottom = _rgb(photo.background[0]), _rgb(photo.background[1])
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    ).convert("RGBA")
    for _ in range(14):
        radius = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = _rgb(rng.choice(photo.accents))
        # Transparent in the circle's own colour, so the blurred edge does not darken.
        layer = Image.new("RGBA", (width, height), (*colour, 0))
        ImageDraw.Draw(layer).ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=(*colour, rng.randint(60, 150))
        )
        image = Image.alpha_composite(image, layer.filter(ImageFilter.GaussianBlur(6)))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

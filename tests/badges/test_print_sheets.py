"""A print run's sheets: what badges share is laid out once and stamped onto each sheet
(badges.pdf.Stamps), and the sheets look exactly like the same badges laid out whole."""

import io

import pytest
from PIL import ImageChops

from badges.pdf import Layout, render_badges, render_chunks

from .test_pdf import HEADING, face, pdf_png, pdf_text

ROLES = [("attendee", "Attendee"), ("speaker", "Speaker"), ("organiser", "Organiser")]


def faces(count: int) -> list:
    return [
        face(
            last_name=f"Novak{n}",
            role=ROLES[n % 3][0],
            role_label=ROLES[n % 3][1],
            photo_consent=n % 2 == 0,
        )
        for n in range(count)
    ]


def print_run_pdf(badges: list, layout: Layout, chunk_size: int = 4) -> bytes:
    out = io.BytesIO()
    render_chunks(badges, heading=HEADING, layout=layout, target=out, chunk_size=chunk_size)
    return out.getvalue()


def page_png(pdf: bytes, page: int):
    """Page ``page`` of ``pdf`` alone, as pdftoppm draws it."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(pdf)).pages[page])
    single = io.BytesIO()
    writer.write(single)
    return pdf_png(single.getvalue()).convert("L")


def differing_share(a, b) -> float:
    """Share of the pixels that differ by more than a quarter of the grey scale."""
    difference = ImageChops.difference(a, b).point(lambda value: 255 if value > 64 else 0)
    return sum(1 for value in difference.get_flattened_data() if value) / (a.width * a.height)


@pytest.mark.parametrize(("layout", "count"), [(Layout.A4, 6), (Layout.A6, 3)])
def test_print_run_sheets_look_like_the_badges_laid_out_whole(layout, count):
    badges = faces(count)

    stamped = print_run_pdf(badges, layout)
    whole = render_badges(badges, heading=HEADING, layout=layout)

    pages = len(pdf_text(whole).split("\f")) - 1
    for page in range(pages):
        assert differing_share(page_png(stamped, page), page_png(whole, page)) < 0.001


def test_print_run_sheet_carries_each_badges_heading_role_and_no_photo_mark():
    badges = faces(6)

    pages = pdf_text(print_run_pdf(badges, Layout.A4, chunk_size=100)).split("\f")[:-1]

    assert len(pages) == 2
    first, second = ("".join(page.split()) for page in pages)
    assert first.count("MovingTalents") == 4
    assert second.count("MovingTalents") == 2
    assert (first.count("ATTENDEE"), first.count("SPEAKER"), first.count("ORGANISER")) == (2, 1, 1)
    assert (second.count("SPEAKER"), second.count("ORGANISER")) == (1, 1)
    assert (first.count("Nophotos"), second.count("Nophotos")) == (2, 1)


def test_print_run_sheet_with_another_role_band_is_told_apart():
    # The comparison above can fail: one badge's role band alone makes a sheet differ.
    badges = faces(4)
    other = [face(last_name="Novak0", role="press", role_label="Press", photo_consent=True)]

    stamped = print_run_pdf(badges, Layout.A4)
    whole = render_badges(other + badges[1:], heading=HEADING, layout=Layout.A4)

    assert differing_share(page_png(stamped, 0), page_png(whole, 0)) > 0.001

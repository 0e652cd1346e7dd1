"""Badge PDFs: what a badge shows, in which scripts, and who may print their own."""

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from badges.models import Badge
from badges.pdf import BadgeFace, EventHeading, Layout, name_size, render_badges
from registrations.enums import AttendanceMode, RegistrationStatus
from tests.factories import EventFactory, OrganisationFactory, PersonFactory
from tests.factories.badges import BadgeFactory
from tests.factories.registrations import RegistrationFactory

HEADING = EventHeading(
    title="Moving Talents: Scaling up Action in Key Sectors",
    place="Brussels",
    dates="19 November 2024 – 20 November 2024",
)
# Marks that pdftotext puts around right-to-left text.
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u200e\u200f"))


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode().translate(BIDI_MARKS)


def pdf_png(pdf: bytes, *, dpi: int = 60) -> Image.Image:
    """Page 1 of ``pdf`` as pdftoppm draws it."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "badge.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603 - fixed program, our own file names
            [
                "/usr/bin/pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-singlefile",
                str(source),
                f"{folder}/page",
            ],
            check=True,
        )
        return Image.open(io.BytesIO((Path(folder) / "page.png").read_bytes()))


def face(**overrides) -> BadgeFace:
    values = {
        "first_name": "Ana",
        "last_name": "Novak",
        "organisation": "Ministry of Labour",
        "country": "Slovenia",
        "role": "attendee",
        "role_label": "Attendee",
        "code": "7-ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCDEFGHIJ",
        "photo_consent": True,
    }
    values.update(overrides)
    return BadgeFace(**values)


def badge_url(registration) -> str:
    return f"/registration/{registration.token}/badge.pdf"


@pytest.fixture
def confirmed(db):
    person = PersonFactory(
        first_name="Ana",
        last_name="Novak",
        organisation=OrganisationFactory(name="Ministry of Labour", country="SI"),
        country="SI",
    )
    event = EventFactory(title="Moving Talents")
    return RegistrationFactory(event=event, person=person)


# --- what a badge shows --------------------------------------------------------------------------


def test_badge_pdf_shows_name_organisation_country_role_and_event(client, confirmed):
    response = client.get(badge_url(confirmed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ana" in text
    assert "Novak" in text
    assert "Ministry of Labour" in text
    assert "SLOVENIA" in text
    assert "ATTENDEE" in text.replace(" ", "")
    assert "Moving Talents" in text
    assert "14 May 2030" in text


def test_badge_pdf_is_one_a6_page_that_rasterises(client, confirmed):
    response = client.get(badge_url(confirmed))

    image = pdf_png(response.content, dpi=100)

    # A6 is 105 x 148 mm: 414 x 583 pixels at 100 dpi, as pdftoppm rounds them.
    assert image.size == (414, 583)
    assert pdf_text(response.content).count("\f") == 1


def test_badge_pdf_paints_the_qr_code_in_its_box(client, confirmed):
    response = client.get(badge_url(confirmed))

    image = pdf_png(response.content, dpi=100).convert("L")
    # The QR box: 34.5 mm from the left, 87 mm from the top, 36 mm square, quiet zone inside.
    left, top, side = (round(mm / 25.4 * 100) for mm in (34.5 + 4, 87 + 4, 28))
    box = image.crop((left, top, left + side, top + side))
    dark = sum(1 for pixel in box.tobytes() if pixel < 100)

    assert 0.3 < dark / (side * side) < 0.7


def test_badge_pdf_issues_the_registrations_badge_once(client, confirmed):
    client.get(badge_url(confirmed))
    client.get(badge_url(confirmed))

    assert Badge.objects.filter(registration=confirmed, revoked_at__isnull=True).count() == 1


def test_badge_pdf_shows_the_badges_role(client, confirmed):
    BadgeFactory(registration=confirmed, role="speaker")

    response = client.get(badge_url(confirmed))

    assert "SPEAKER" in pdf_text(response.content).replace(" ", "")


@pytest.mark.parametrize(
    ("first_name", "last_name", "organisation"),
    [
        ("Αικατερίνη", "Παπαδοπούλου", "Υπουργείο Εργασίας"),
        ("Йордан", "Стефанов", "Агенция по заетостта"),
        ("محمد", "العبدالله", "جمعية المهاجرين"),
    ],
    ids=["greek", "bulgarian", "arabic"],
)
def test_badge_pdf_renders_non_latin_names(first_name, last_name, organisation):
    pdf = render_badges(
        [face(first_name=first_name, last_name=last_name, organisation=organisation)],
        heading=HEADING,
    )

    text = pdf_text(pdf)
    assert first_name in text
    assert last_name in text
    assert organisation in text


def test_name_size_very_long_name_is_smallest():
    size = name_size(
        "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff",
        "Wolfeschlegelsteinhausenbergerdorff Senior",
    )

    assert size == "xs"


def test_name_size_short_name_is_largest():
    assert name_size("Ana", "Novak") == "xl"


def test_name_size_compound_name_wraps_at_its_hyphen():
    assert name_size("Maria Alexandra", "Papadopoulou-Konstantinidou") == "m"


def test_badge_pdf_long_name_is_printed_whole():
    last_name = "Wolfeschlegelsteinhausenbergerdorff"

    pdf = render_badges([face(first_name="Hubert Blaine", last_name=last_name)], heading=HEADING)

    assert last_name in pdf_text(pdf).replace("\n", "")


def test_no_photo_mark_shown_when_photo_consent_declined():
    pdf = render_badges([face(photo_consent=False)], heading=HEADING)

    assert "No photos" in pdf_text(pdf)


def test_no_photo_mark_absent_when_photo_consent_given():
    pdf = render_badges([face(photo_consent=True)], heading=HEADING)

    assert "No photos" not in pdf_text(pdf)


def test_a4_sheet_holds_four_badges():
    faces = [face(last_name=f"Novak{n}") for n in range(5)]

    pdf = render_badges(faces, heading=HEADING, layout=Layout.A4)

    text = pdf_text(pdf)
    assert text.count("\f") == 2
    assert [f"Novak{n}" in text.split("\f")[0] for n in range(5)] == [True] * 4 + [False]


# --- who may print their own ---------------------------------------------------------------------


def test_badge_pdf_refused_for_online_attendee(client, confirmed):
    confirmed.mode = AttendanceMode.ONLINE
    confirmed.save()

    response = client.get(badge_url(confirmed))

    assert response.status_code == 403
    assert "You attend online" in response.content.decode()
    assert Badge.objects.filter(registration=confirmed).count() == 0


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED, RegistrationStatus.PENDING],
)
def test_badge_pdf_refused_unless_confirmed(client, confirmed, status):
    confirmed.status = status
    confirmed.waitlisted_at = confirmed.created_at
    confirmed.save()

    response = client.get(badge_url(confirmed))

    assert response.status_code == 403
    assert "Badges are for confirmed attendees" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_badge_pdf_wrong_token_is_404(client, confirmed):
    response = client.get(f"/registration/{confirmed.token[:-2]}xx/badge.pdf")

    assert response.status_code == 404


def test_badge_pdf_kept_out_of_caches(client, confirmed):
    response = client.get(badge_url(confirmed))

    assert response["Cache-Control"] == "private, no-store"

"""The public API's event documents: published events only, in the page's order, with their
files' addresses, sizes and types."""

import pytest
from django.core.files.base import ContentFile

from agenda.enums import EventStatus
from agenda.models import Document
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def document(event, title: str, *, position: int = 0, name: str = "", content: bytes = PDF):
    return Document.objects.create(
        event=event,
        title=title,
        description=f"About {title.lower()}",
        position=position,
        file=ContentFile(content, name=name or f"{title.lower().replace(' ', '-')}.pdf"),
    )


def documents_url(event) -> str:
    return f"/api/v1/events/{event.slug}/documents/"


def test_documents_list_in_position_order(client):
    event = EventFactory(slug="green-skills")
    document(event, "Practical information", position=2)
    document(event, "Programme", position=1)
    document(event, "Accessibility", position=3)

    response = client.get(documents_url(event))

    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["results"]]
    assert titles == ["Programme", "Practical information", "Accessibility"]


def test_document_shows_absolute_file_address_size_type_and_upload_time(client):
    event = EventFactory(slug="green-skills")
    programme = document(event, "Programme", position=1)

    response = client.get(f"{documents_url(event)}{programme.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == programme.pk
    assert (body["title"], body["description"]) == ("Programme", "About programme")
    assert body["file"] == f"http://testserver{programme.file.url}"
    assert body["file"].endswith(".pdf")
    assert (body["size"], body["content_type"], body["extension"]) == (
        len(PDF),
        "application/pdf",
        "PDF",
    )
    assert body["uploaded_at"].startswith(str(programme.uploaded_at.year))


def test_document_of_an_office_file_names_its_media_type(client):
    event = EventFactory()
    sheet = document(event, "Budget", name="budget.xlsx", content=b"PK\x03\x04 workbook")

    body = client.get(f"{documents_url(event)}{sheet.pk}/").json()

    assert body["content_type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert body["extension"] == "XLSX"


def test_document_whose_file_is_missing_has_no_size(client):
    event = EventFactory()
    lost = document(event, "Lost")
    lost.file.storage.delete(lost.file.name)

    response = client.get(documents_url(event))

    assert response.status_code == 200
    assert response.json()["results"][0]["size"] is None


@pytest.mark.parametrize("status", [EventStatus.POSTPONED, EventStatus.CANCELLED])
def test_documents_of_postponed_or_cancelled_event_are_public(client, status):
    event = EventFactory(status=status)
    document(event, "Programme")

    response = client.get(documents_url(event))

    assert [item["title"] for item in response.json()["results"]] == ["Programme"]


def test_documents_of_draft_event_are_404(client):
    event = EventFactory(status=EventStatus.DRAFT)
    programme = document(event, "Programme")

    listed = client.get(documents_url(event))
    read = client.get(f"{documents_url(event)}{programme.pk}/")

    assert (listed.status_code, read.status_code) == (404, 404)
    assert listed.json()["error"]["code"] == "not_found"


def test_document_of_another_event_is_404(client):
    event = EventFactory()
    other = document(EventFactory(), "Other programme")

    response = client.get(f"{documents_url(event)}{other.pk}/")

    assert response.status_code == 404


def test_documents_of_unknown_event_are_404(client):
    response = client.get("/api/v1/events/no-such-event/documents/")

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 15])
def test_documents_list_query_count_is_constant(client, django_assert_num_queries, count):
    event = EventFactory()
    for position in range(count):
        document(event, f"Document {position}", position=position)

    with django_assert_num_queries(3):  # event, count, page of documents
        response = client.get(documents_url(event))

    assert len(response.json()["results"]) == count

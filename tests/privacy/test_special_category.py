"""Needs and answers to sensitive questions: only for organisers with the dedicated permission,
and in exports only when asked."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from registrations.exports import registration_table
from registrations.models import Answer, Registration
from tests.factories.registrations import QuestionFactory, RegistrationFactory, open_event

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registrations_registration_changelist")


@pytest.fixture
def registration():
    event = open_event()
    plain = QuestionFactory(event=event, label="Working group", kind="short_text")
    health = QuestionFactory(event=event, label="Medication", kind="short_text", sensitive=True)
    registration = RegistrationFactory(
        event=event, accessibility_needs="Hearing loop", dietary_needs="Coeliac"
    )
    Answer.objects.create(registration=registration, question=plain, value="Skills")
    Answer.objects.create(registration=registration, question=health, value="Epipen")
    return registration


def export(client, registration, *, include_needs: bool):
    data = {
        "action": "export_selected",
        "_selected_action": [registration.pk],
        "confirm": "Download",
        "format": "csv",
    }
    if include_needs:
        data["include_needs"] = "on"
    response = client.post(CHANGELIST, data)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


def test_permission_is_not_given_to_all_organisers():
    organisers = Group.objects.get(name="organisers")
    special = Group.objects.get(name="special-category data")

    assert not organisers.permissions.filter(codename="view_special_category").exists()
    assert list(special.permissions.values_list("codename", flat=True)) == ["view_special_category"]


def test_registration_page_hides_needs_and_sensitive_answers_without_permission(
    organiser_client, registration
):
    response = organiser_client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Skills" in page
    for hidden in ("Hearing loop", "Coeliac", "Epipen", "Medication"):
        assert hidden not in page


def test_registration_page_shows_them_with_permission(needs_client, registration):
    response = needs_client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    )

    page = response.content.decode()
    for shown in ("Hearing loop", "Coeliac", "Epipen", "Skills"):
        assert shown in page


def test_export_without_permission_never_holds_them_even_when_asked(organiser_client, registration):
    rows = export(organiser_client, registration, include_needs=True)

    cells = [cell for row in rows for cell in row]
    assert "Skills" in cells
    for hidden in ("Hearing loop", "Coeliac", "Epipen", "Medication", "Accessibility needs"):
        assert hidden not in cells


def test_export_form_offers_them_only_with_permission(organiser, needs_organiser, registration):
    data = {"action": "export_selected", "_selected_action": [registration.pk]}
    clients = [Client(), Client()]
    clients[0].force_login(organiser)
    clients[1].force_login(needs_organiser)

    without = clients[0].post(CHANGELIST, data).context["form"]
    with_permission = clients[1].post(CHANGELIST, data).context["form"]

    assert "include_needs" not in without.fields
    assert with_permission.fields["include_needs"].initial is None


def test_export_with_permission_leaves_them_out_unless_asked(needs_client, registration):
    header, row = export(needs_client, registration, include_needs=False)

    assert "Medication" not in header and "Accessibility needs" not in header
    assert "Epipen" not in row


def test_export_with_permission_holds_them_when_asked(needs_client, registration):
    header, row = export(needs_client, registration, include_needs=True)

    values = dict(zip(header, row, strict=True))
    assert values["Medication"] == "Epipen"
    assert values["Accessibility needs"] == "Hearing loop"
    assert values["Dietary needs"] == "Coeliac"
    assert values["Working group"] == "Skills"


def test_registration_table_queries_stay_fixed_without_sensitive_columns(
    registration, django_assert_num_queries
):
    with django_assert_num_queries(4):
        table = registration_table(Registration.objects.all(), include_needs=False)

    assert table.header[-1] == "Working group"


def test_question_admin_marks_sensitive_questions(needs_client, registration):
    response = needs_client.get(reverse("admin:registrations_question_changelist"))

    assert response.status_code == 200
    assert "sensitive" in response.context["cl"].list_display

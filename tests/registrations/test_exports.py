import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from registrations.enums import AttendanceMode, PickStatus, RegistrationStatus
from registrations.exports import neutralise, registration_table
from registrations.models import Answer, Registration, SessionPick
from tests.factories import OrganisationFactory, PersonFactory, SessionFactory
from tests.factories.registrations import QuestionFactory, RegistrationFactory, open_event

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registrations_registration_changelist")
EXPORT = reverse("admin:registrations_registration_export")


@pytest.fixture
def organiser_client(client):
    user = get_user_model().objects.create_user("organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    # Needs are special-category data: only this group may export them.
    user.groups.add(Group.objects.get(name="special-category data"))
    client.force_login(user)
    return client


def export(client, registrations, *, fmt: str, include_needs: bool = False):
    data = {
        "action": "export_selected",
        "_selected_action": [r.pk for r in registrations],
        "confirm": "Download",
        "format": fmt,
    }
    if include_needs:
        data["include_needs"] = "on"
    return client.post(CHANGELIST, data)


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


def formula_registration(**kwargs) -> Registration:
    person = PersonFactory(
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="Doe",
        organisation=OrganisationFactory(name="@SUM(A1:A9)"),
        job_title="-2+3",
    )
    return RegistrationFactory(
        person=person,
        accessibility_needs="Wheelchair access",
        dietary_needs="+halal",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ana = Bob", "Ana = Bob"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_only_formula_starts(value, expected):
    assert neutralise(value) == expected


def test_csv_export_neutralises_a_name_starting_with_equals(organiser_client):
    registration = formula_registration()

    response = export(organiser_client, [registration], fmt="csv")

    header, row = read_csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert row[header.index("Name")] == '\'=HYPERLINK("http://evil.example","x") Doe'
    assert row[header.index("Organisation")] == "'@SUM(A1:A9)"
    assert row[header.index("Job title")] == "'-2+3"


def test_xlsx_export_stores_a_name_starting_with_equals_as_text(organiser_client):
    registration = formula_registration()

    response = export(organiser_client, [registration], fmt="xlsx")

    sheet = read_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=header.index("Name") + 1)
    organisation = sheet.cell(row=2, column=header.index("Organisation") + 1)
    assert (name.value, name.data_type) == ('\'=HYPERLINK("http://evil.example","x") Doe', "s")
    assert (organisation.value, organisation.data_type) == ("'@SUM(A1:A9)", "s")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_leaves_out_needs_unless_asked(organiser_client, fmt):
    registration = formula_registration()

    response = export(organiser_client, [registration], fmt=fmt)

    if fmt == "csv":
        cells = [cell for row in read_csv(response) for cell in row]
    else:
        cells = [cell.value for row in read_xlsx(response).iter_rows() for cell in row]
    assert "Accessibility needs" not in cells
    assert "Dietary needs" not in cells
    assert [cell for cell in cells if "Wheelchair" in str(cell) or "halal" in str(cell)] == []


def test_csv_export_includes_needs_when_asked(organiser_client):
    registration = formula_registration()

    response = export(organiser_client, [registration], fmt="csv", include_needs=True)

    header, row = read_csv(response)
    assert row[header.index("Accessibility needs")] == "Wheelchair access"
    assert row[header.index("Dietary needs")] == "'+halal"


def test_xlsx_export_includes_needs_when_asked(organiser_client):
    registration = formula_registration()

    response = export(organiser_client, [registration], fmt="xlsx", include_needs=True)

    sheet = read_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Dietary needs") + 1).value == "'+halal"


def test_export_action_first_asks_what_to_include(organiser_client):
    registration = RegistrationFactory()

    response = organiser_client.post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [registration.pk], "index": "0"},
    )

    assert response.status_code == 200
    assert response.context["form"].fields["include_needs"].initial is None
    assert response.context["count"] == 1


def test_export_columns_hold_status_picks_answers_and_position(organiser_client):
    event = open_event(capacity_in_person=1, title="Moving Talents")
    question = QuestionFactory(event=event, label="Sector", kind="multiple_choice")
    session = SessionFactory(event=event, title="Health workers", requires_signup=True)
    waiting = RegistrationFactory(
        event=event,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
        mode=AttendanceMode.IN_PERSON,
        person=PersonFactory(
            first_name="Ana",
            last_name="Novak",
            email="ana@example.org",
            job_title="Adviser",
            organisation=OrganisationFactory(
                name="Ministry", type="national_authority", country="SI"
            ),
        ),
    )
    SessionPick.objects.create(registration=waiting, session=session, status=PickStatus.WAITLISTED)
    Answer.objects.create(registration=waiting, question=question, value=["Care", "IT"])

    response = export(organiser_client, [waiting], fmt="csv")

    header, row = read_csv(response)
    values = dict(zip(header, row, strict=True))
    assert {key: values[key] for key in header if key != "Registered at"} == {
        "Name": "Ana Novak",
        "Email": "ana@example.org",
        "Organisation": "Ministry",
        "Organisation type": "National authority",
        "Country": "Slovenia",
        "Job title": "Adviser",
        "Event": "Moving Talents",
        "Status": "Waitlisted",
        "Attendance": "In person",
        "Waitlist position": "1",
        "Sessions picked": "Health workers (waitlisted)",
        "Sector": "Care; IT",
    }


def test_export_of_the_filtered_list_keeps_the_filters(organiser_client):
    RegistrationFactory(person__first_name="Seated")
    RegistrationFactory(
        person__first_name="Waiting",
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
    )

    form = organiser_client.get(EXPORT, {"status__exact": "waitlisted"})
    response = organiser_client.post(
        f"{EXPORT}?status__exact=waitlisted", {"format": "csv", "confirm": "Download"}
    )

    rows = read_csv(response)[1:]
    assert form.context["count"] == 1
    assert [row[0] for row in rows] == ["Waiting Martin"]


def test_registration_table_queries_with_one_registration(django_assert_num_queries):
    event = open_event()
    RegistrationFactory(event=event)

    with django_assert_num_queries(4):
        table = registration_table(Registration.objects.all(), include_needs=False)

    assert len(table.rows) == 1


def test_registration_table_queries_with_twenty_registrations(django_assert_num_queries):
    event = open_event()
    question = QuestionFactory(event=event)
    session = SessionFactory(event=event, requires_signup=True)
    for registration in RegistrationFactory.create_batch(20, event=event):
        Answer.objects.create(registration=registration, question=question, value="yes")
        SessionPick.objects.create(
            registration=registration, session=session, status=PickStatus.CONFIRMED
        )

    with django_assert_num_queries(4):
        table = registration_table(Registration.objects.all(), include_needs=False)

    assert len(table.rows) == 20

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse

from members.models import Person
from privacy import services
from privacy.enums import ErasureSource, RequestKind
from privacy.models import ErasureLog
from tests.factories import PersonFactory
from tests.factories.registrations import RegistrationFactory

pytestmark = pytest.mark.django_db

PEOPLE = reverse("admin:members_person_changelist")


def erase(client, people, *, confirm: bool):
    data = {"action": "erase_selected", ACTION_CHECKBOX_NAME: [p.pk for p in people]}
    if confirm:
        data["confirm"] = "Erase"
    return client.post(PEOPLE, data)


def test_erase_and_export_permissions_are_not_given_to_organisers():
    codenames = set(
        Group.objects.get(name="organisers").permissions.values_list("codename", flat=True)
    )

    assert {"erase_person", "export_person"} & codenames == set()


def test_organiser_without_permission_is_not_offered_erasure(organiser_client):
    person = PersonFactory()

    response = organiser_client.get(PEOPLE)
    refused = erase(organiser_client, [person], confirm=True)

    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "erase_selected" not in actions and "export_selected" not in actions
    assert refused.status_code == 302  # back to the list: no such action for them
    assert Person.objects.filter(pk=person.pk).exists()


def test_erase_action_asks_first_then_erases(dpo_client, data_protection_officer):
    person = PersonFactory(first_name="Theodora", email="theodora@example.org")
    RegistrationFactory(person=person)

    asked = erase(dpo_client, [person], confirm=False)
    done = erase(dpo_client, [person], confirm=True)

    assert asked.status_code == 200
    assert "Theodora" in asked.content.decode()
    assert done.status_code == 302
    assert not Person.objects.filter(email="theodora@example.org").exists()
    log = ErasureLog.objects.get()
    assert (log.source, log.actor) == (ErasureSource.ORGANISER, data_protection_officer)


def test_erase_action_reports_a_staff_account_it_cannot_erase(dpo_client, data_protection_officer):
    person = PersonFactory(user=data_protection_officer)

    response = erase(dpo_client, [person], confirm=True)

    assert response.status_code == 302
    assert Person.objects.filter(pk=person.pk).exists()


def test_people_list_hides_the_stand_ins_of_anonymised_registrations(dpo_client):
    registration = RegistrationFactory(person__first_name="Visible")
    erased = RegistrationFactory(person__first_name="Gone")
    services.erase_person(person=erased.person)

    shown = dpo_client.get(PEOPLE)
    stand_ins = dpo_client.get(PEOPLE, {"anonymised": "yes"})

    assert [p.pk for p in shown.context["cl"].result_list] == [registration.person_id]
    assert [p.anonymised_at is not None for p in stand_ins.context["cl"].result_list] == [True]


def test_export_action_downloads_one_persons_data(dpo_client):
    person = PersonFactory(first_name="Kasimir")
    RegistrationFactory(person=person)

    response = dpo_client.post(
        PEOPLE, {"action": "export_selected", ACTION_CHECKBOX_NAME: [person.pk]}
    )

    data = json.loads(response.content)
    assert data["person"]["first_name"] == "Kasimir"
    assert len(data["registrations"]) == 1


def test_erasure_records_list_without_identities(dpo_client):
    person = PersonFactory(first_name="Wilhelmina", email="wilhelmina@example.org")
    RegistrationFactory(person=person)
    services.request_data(email=person.email, kind=RequestKind.ERASURE, language="en")
    services.erase_person(person=person)

    response = dpo_client.get(reverse("admin:privacy_erasurelog_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Wilhelmina" not in page and "wilhelmina@example.org" not in page
    assert len(response.context["cl"].result_list) == 1


def test_erasure_records_cannot_be_changed_or_deleted(dpo_client):
    log = ErasureLog.objects.create(source=ErasureSource.RETENTION, counts={"registrations": 2})

    response = dpo_client.post(
        reverse("admin:privacy_erasurelog_delete", args=[log.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ErasureLog.objects.filter(pk=log.pk).exists()


def test_event_admin_shows_the_retention_fields(admin_client):
    response = admin_client.get(reverse("admin:agenda_event_add"))

    form = response.context["adminform"].form
    assert {"retention_days", "special_category_days"} <= set(form.fields)

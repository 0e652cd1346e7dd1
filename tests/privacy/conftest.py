import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.factories.registrations import PrivacyNoticeFactory


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory(version="2026-01", text="The network keeps your registration.")


def staff_user(username: str, *groups: str, permissions: tuple[str, ...] = ()):
    user = get_user_model().objects.create_user(username, is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def organiser(db):
    return staff_user("door-organiser", "organisers")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def needs_organiser(db):
    """An organiser who plans the venue and catering: sees special-category data."""
    return staff_user("catering-organiser", "organisers", "special-category data")


@pytest.fixture
def needs_client(client, needs_organiser):
    client.force_login(needs_organiser)
    return client


@pytest.fixture
def data_protection_officer(db):
    return staff_user(
        "dpo",
        "organisers",
        permissions=("privacy.erase_person", "privacy.export_person", "privacy.view_erasurelog"),
    )


@pytest.fixture
def dpo_client(client, data_protection_officer):
    client.force_login(data_protection_officer)
    return client

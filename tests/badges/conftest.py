import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import EventFactory, OrganisationFactory, PersonFactory
from tests.factories.badges import BadgeFactory, DeviceFactory

CHECKIN_URL = "/api/v1/checkin/"
BATCH_URL = "/api/v1/checkin/batch/"


def device_client(device) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {device.token}")
    return client


def scan(client: APIClient, event, code: str, **extra):
    return client.post(CHECKIN_URL, {"event": event.slug, "code": code, **extra}, format="json")


@pytest.fixture
def event(db):
    return EventFactory(slug="moving-talents")


@pytest.fixture
def person(db):
    return PersonFactory(
        first_name="Ana",
        last_name="Novak",
        email="ana.novak@example.org",
        organisation=OrganisationFactory(name="Ministry of Labour"),
    )


@pytest.fixture
def badge(event, person):
    return BadgeFactory(
        registration__event=event,
        registration__person=person,
        registration__accessibility_needs="Uses a wheelchair; needs step-free access.",
    )


@pytest.fixture
def device(event):
    # Seen just now, so that requests do not also note when it was last seen.
    return DeviceFactory(name="Door 1", events=[event], last_seen_at=timezone.now())


@pytest.fixture
def client_of_device(device) -> APIClient:
    return device_client(device)


@pytest.fixture
def organiser(db):
    user = get_user_model().objects.create_user("door-organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    return user


@pytest.fixture
def organiser_client(organiser) -> APIClient:
    client = APIClient()
    client.force_login(organiser)
    return client

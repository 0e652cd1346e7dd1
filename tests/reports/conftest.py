import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


@pytest.fixture
def organiser(db):
    user = get_user_model().objects.create_user("attendance-organiser", is_staff=True)
    user.groups.add(Group.objects.get(name="organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client

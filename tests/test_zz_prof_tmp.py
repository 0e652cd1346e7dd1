import cProfile, pstats
import pytest
from django.urls import reverse
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

@pytest.mark.django_db
def test_prof(client):
    u = get_user_model().objects.create_user("o", is_staff=True)
    u.groups.add(Group.objects.get(name="organisers"))
    client.force_login(u)
    client.get(reverse("admin:agenda_event_add"))
    pr = cProfile.Profile(); pr.enable()
    client.get(reverse("admin:agenda_event_add"))
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)

"""Many people registering at the same moment, on PostgreSQL with real threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from registrations import services
from registrations.capacity import waitlist_position
from registrations.enums import RegistrationStatus
from registrations.exceptions import Busy
from registrations.models import Registration
from tests.factories.registrations import PrivacyNoticeFactory, open_event, registration_request

# PostgreSQL allows 100 connections here; this many registrations hold one at the same time.
CONCURRENT = 60


def rush(event, count: int) -> list[str]:
    """``count`` threads released together, each registering a different person."""
    barrier = threading.Barrier(count)
    gate = threading.Semaphore(CONCURRENT)

    def one(n: int) -> str:
        barrier.wait()
        with gate:
            try:
                # A client told "busy, retry" tries again, as the form and the API ask it to.
                for _attempt in range(20):
                    try:
                        result = services.register(event=event, request=registration_request(n))
                    except Busy:
                        continue
                    return result.registration.status
                return "gave up"
            finally:
                connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rush_of_200_for_50_seats_never_overbooks(postgres):
    PrivacyNoticeFactory()
    event = open_event(capacity_in_person=50)

    statuses = rush(event, 200)

    assert statuses.count(RegistrationStatus.CONFIRMED) == 50
    assert statuses.count(RegistrationStatus.WAITLISTED) == 150
    waitlisted = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    assert sorted(waitlist_position(r) for r in waitlisted) == list(range(1, 151))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rush_without_the_lock_overbooks(postgres, settings):
    """Proof that the test above can fail: with the lock switched off, seats are oversold."""
    settings.REGISTRATIONS_LOCK_SEATS = False
    PrivacyNoticeFactory()
    event = open_event(capacity_in_person=50)

    statuses = rush(event, 200)

    assert statuses.count(RegistrationStatus.CONFIRMED) > 50

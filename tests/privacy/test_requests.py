import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Person
from privacy import services
from privacy.enums import RequestKind, RequestStatus
from privacy.models import DataRequest
from registrations.enums import EmailKind, EmailStatus
from registrations.models import OutboxEmail, Registration
from tests.factories.privacy import DataRequestFactory
from tests.factories.registrations import InvitationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("privacy:index")
LINK = re.compile(r"https?://\S+/privacy/request/([A-Za-z0-9_-]+)/")


def ask(client, email, kind=RequestKind.ACCESS, **extra):
    return client.post(INDEX, {"email": email, "kind": kind, **extra})


def token_in(email: OutboxEmail) -> str:
    return LINK.search(email.body_text).group(1)


@pytest.fixture
def person():
    registration = RegistrationFactory(
        person__first_name="Ilse",
        person__email="ilse@example.org",
        accessibility_needs="Guide dog",
    )
    return registration.person


def test_privacy_page_shows_the_network_notice_and_the_form(client, privacy_notice):
    response = client.get(INDEX)

    assert response.status_code == 200
    assert "The network keeps your registration." in response.content.decode()
    assert set(response.context["form"].fields) == {"kind", "email", "website"}


def test_request_for_a_known_address_emails_a_confirmation_link(client, person):
    response = ask(client, "ILSE@example.org")

    data_request = DataRequest.objects.get()
    email = OutboxEmail.objects.get(kind=EmailKind.DATA_REQUEST)
    assert response.status_code == 200
    assert (data_request.status, data_request.email) == (RequestStatus.AWAITING, person.email)
    assert email.to == "ilse@example.org" and email.registration is None
    assert data_request.token_hash not in email.body_text
    assert services.find_request(token=token_in(email)) == data_request


def test_request_for_an_unknown_address_says_nothing_is_held_and_keeps_no_address(client, person):
    known = ask(client, person.email)

    unknown = ask(client, "nobody@example.org")

    data_request = DataRequest.objects.get(status=RequestStatus.NOTHING_HELD)
    email = OutboxEmail.objects.get(to="nobody@example.org")
    assert known.content == unknown.content  # the page tells a stranger nothing
    assert data_request.email == ""
    assert LINK.search(email.body_text) is None
    assert "We hold nothing under it" in email.body_text


def test_request_for_an_address_with_only_an_invitation_is_confirmed(client):
    InvitationFactory(email="invited@example.org")

    ask(client, "invited@example.org")

    assert DataRequest.objects.get().status == RequestStatus.AWAITING


def test_request_form_refuses_a_bad_address_beside_the_field(client):
    response = ask(client, "not-an-address")

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert DataRequest.objects.count() == 0


def test_request_form_honeypot_answers_like_success_and_records_nothing(client, person):
    response = ask(client, person.email, website="spam")

    assert response.status_code == 200
    assert DataRequest.objects.count() == 0


def test_request_form_limits_requests_from_one_client(client, settings, person):
    settings.PRIVACY_REQUEST_RATE = (2, 3600)
    for _ in range(2):
        ask(client, person.email)

    response = ask(client, person.email)

    assert response.status_code == 429
    assert response["Retry-After"]
    assert DataRequest.objects.count() == 2


def test_request_form_sends_nothing_more_about_one_address_past_its_limit(client, settings, person):
    settings.PRIVACY_REQUEST_ADDRESS_RATE = (1, 3600)
    first = ask(client, person.email)

    second = ask(client, person.email)

    assert second.status_code == 200 and second.content == first.content
    assert OutboxEmail.objects.filter(kind=EmailKind.DATA_REQUEST).count() == 1


def test_access_link_confirms_and_offers_both_copies(client, person):
    ask(client, person.email)
    token = token_in(OutboxEmail.objects.get())

    page = client.get(reverse("privacy:request", args=[token]))
    as_json = client.get(reverse("privacy:download-json", args=[token]))
    as_html = client.get(reverse("privacy:download-html", args=[token]))

    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert DataRequest.objects.get().status == RequestStatus.READY
    data = json.loads(as_json.content)
    assert data["person"]["email"] == "ilse@example.org"
    assert data["registrations"][0]["accessibility_needs"] == "Guide dog"
    assert as_json["Content-Disposition"].startswith("attachment;")
    assert "Guide dog" in as_html.content.decode()
    assert as_html["Content-Type"] == "text/html; charset=utf-8"


def test_download_before_confirmation_is_refused(client, person):
    data_request = DataRequestFactory(email=person.email)

    response = client.get(reverse("privacy:download-json", args=[data_request.token]))

    assert response.status_code == 410


def test_expired_link_is_refused(client, person):
    data_request = DataRequestFactory(
        email=person.email, expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(reverse("privacy:request", args=[data_request.token]))

    assert response.status_code == 410
    assert DataRequest.objects.get().status == RequestStatus.AWAITING


def test_unknown_link_answers_not_found(client):
    response = client.get(reverse("privacy:request", args=["x" * 43]))

    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_erasure_link_asks_before_erasing(client, person):
    data_request = DataRequestFactory(kind=RequestKind.ERASURE, email=person.email)
    url = reverse("privacy:request", args=[data_request.token])

    page = client.get(url)

    assert page.status_code == 200
    assert Person.objects.filter(pk=person.pk).exists()
    assert [r.pk for r in page.context["registrations"]] == list(
        Registration.objects.filter(person=person).values_list("pk", flat=True)
    )


def test_erasure_confirmed_erases_and_closes_the_request(client, person):
    data_request = DataRequestFactory(kind=RequestKind.ERASURE, email=person.email)
    url = reverse("privacy:request", args=[data_request.token])

    response = client.post(url)
    again = client.get(url)

    data_request.refresh_from_db()
    assert response.status_code == 200
    assert not Person.objects.filter(email="ilse@example.org").exists()
    assert (data_request.status, data_request.email, data_request.person) == (
        RequestStatus.DONE,
        "",
        None,
    )
    assert again.status_code == 200
    assert "Your data is erased" in again.content.decode()


def test_access_link_cannot_erase(client, person):
    data_request = DataRequestFactory(kind=RequestKind.ACCESS, email=person.email)

    client.post(reverse("privacy:request", args=[data_request.token]))

    assert Person.objects.filter(pk=person.pk).exists()


def test_whole_access_request_sends_the_email_through_the_outbox(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, person.email)

    assert [message.to for message in mail.outbox] == [["ilse@example.org"]]
    assert LINK.search(mail.outbox[0].body)


def test_sweep_closes_expired_requests_and_forgets_addresses(person):
    now = timezone.now()
    stale = DataRequestFactory(email=person.email, expires_at=now - timedelta(days=1))
    ready = DataRequestFactory(
        email=person.email,
        status=RequestStatus.READY,
        expires_at=now - timedelta(seconds=1),
    )
    fresh = DataRequestFactory(email=person.email, expires_at=now + timedelta(days=3))

    closed = services.sweep_data_requests(now=now)

    assert closed == 2
    assert list(
        DataRequest.objects.filter(pk__in=[stale.pk, ready.pk, fresh.pk])
        .order_by("pk")
        .values_list("status", "email")
    ) == [
        (RequestStatus.EXPIRED, ""),
        (RequestStatus.DONE, ""),
        (RequestStatus.AWAITING, person.email),
    ]


def test_sweep_empties_request_emails_sent_more_than_a_day_ago(person):
    services.request_data(email=person.email, kind=RequestKind.ACCESS, language="en")
    email = OutboxEmail.objects.get()
    OutboxEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENT)
    registration_email = OutboxEmail.objects.create(
        registration=Registration.objects.get(person=person),
        kind=EmailKind.CONFIRMATION,
        to=person.email,
        subject="Confirmed",
        body_text="Dear Ilse",
        status=EmailStatus.SENT,
    )

    services.sweep_data_requests(now=timezone.now() + timedelta(hours=1))
    kept = OutboxEmail.objects.get(pk=email.pk).to
    services.sweep_data_requests(now=timezone.now() + timedelta(days=2))

    email.refresh_from_db()
    registration_email.refresh_from_db()
    assert kept == person.email
    assert (email.to, email.body_text, email.body_html) == ("", "", "")
    assert registration_email.to == person.email  # kept until the event's retention

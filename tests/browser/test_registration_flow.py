"""Registration in a real browser, as attendees go through it.

The whole path of a full event: a newcomer registers through the form and lands on the waitlist;
the person holding the only seat cancels through the personal link of their confirmation email;
the newcomer is promoted at once and told by email. Then the same pages under axe-core, in English
and in French.

Commits are real here (``transaction=True`` with ``live_server``), so every email is written to
the outbox and, with Celery eager, sent in-process as soon as its transaction commits.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_countries import countries
from playwright.sync_api import expect

from members.enums import OrganisationType
from registrations import services
from registrations.enums import EmailKind, EmailStatus, RegistrationStatus
from registrations.forms import RegistrationForm
from registrations.models import OutboxEmail, Registration
from tests.factories.registrations import PrivacyNoticeFactory, open_event, registration_request

from .axe import describe_violations, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER_EMAIL = "mira.kovac@example.org"
LINK = re.compile(r"https?://\S+/registration/\S+/")


@pytest.fixture
def full_event(settings, live_server):
    """An in-person event whose single seat is taken by someone registered through the services.

    The site's address is the live server's, so the links in emails open in the test's browser.
    """
    settings.SITE_URL = live_server.url
    event = open_event(capacity_in_person=1)
    PrivacyNoticeFactory(version="2026-01")
    services.register(event=event, request=registration_request(1))
    return event


def personal_link(*, to: str, kind: str) -> str:
    """The personal link exactly as the outbox email of ``kind`` to ``to`` gives it."""
    email = OutboxEmail.objects.get(to=to, kind=kind)
    return LINK.search(email.body_text).group()


def status_panel(page):
    return page.get_by_role("region", name="Status", exact=True)


def test_registration_flow_promotes_waitlisted_when_seat_holder_cancels(
    page, new_context, full_event
):
    page.goto(full_event.get_absolute_url())
    page.get_by_role("link", name="Register").click()
    page.get_by_label("First name").fill("Mira")
    page.get_by_label("Last name").fill("Kovač")
    page.get_by_label("Email").fill(NEWCOMER_EMAIL)
    page.get_by_label("Job title").fill("Labour inspector")
    page.get_by_label(re.compile(r"^Organisation")).fill("Croatian Labour Inspectorate")
    page.get_by_label("Type of organisation").select_option(label="National authority")
    page.get_by_label("Country of the organisation").select_option(label="Croatia")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    expect(status_panel(page)).to_contain_text("Waitlisted")
    expect(status_panel(page)).to_contain_text("You are number 1 on the waitlist.")
    newcomer_page_url = page.url

    holder = new_context().new_page()
    holder.set_default_timeout(10_000)
    holder.goto(personal_link(to="ana1@example.org", kind=EmailKind.CONFIRMATION))
    holder.get_by_role("link", name="Cancel my registration").click()
    holder.get_by_role("button", name="Yes, cancel my registration").click()
    expect(status_panel(holder)).to_contain_text("Cancelled")

    newcomer = Registration.objects.get(person__email=NEWCOMER_EMAIL)
    promoted = OutboxEmail.objects.filter(to=NEWCOMER_EMAIL, kind=EmailKind.PROMOTED)
    assert newcomer.status == RegistrationStatus.CONFIRMED
    assert list(promoted.values_list("status", flat=True)) == [EmailStatus.SENT]
    assert personal_link(to=NEWCOMER_EMAIL, kind=EmailKind.PROMOTED) == newcomer_page_url
    page.reload()
    expect(status_panel(page)).to_contain_text("Confirmed")
    expect(status_panel(page)).to_contain_text("Your place is confirmed.")


# --- accessibility ------------------------------------------------------------------------------


def fill_registration_form(page, *, language: str) -> None:
    """Fills the form by its labels in ``language``, taken from the form itself."""
    with translation.override(language):
        fields = RegistrationForm.base_fields
        label = {name: str(fields[name].label) for name in fields}
        organisation_type = str(OrganisationType.NATIONAL_AUTHORITY.label)
        country = str(countries.name("HR"))

    def field(name):
        # Anchored: "Organisation" also starts the words inside other labels' names.
        return page.get_by_label(re.compile("^" + re.escape(label[name])))

    field("first_name").fill("Mira")
    field("last_name").fill("Kovač")
    field("email").fill(NEWCOMER_EMAIL)
    field("organisation_name").fill("Croatian Labour Inspectorate")
    field("organisation_type").select_option(label=organisation_type)
    field("organisation_country").select_option(label=country)
    field("privacy_accepted").check()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_registration_pages_have_no_axe_violations(page, full_event, language):
    register_path = reverse("registrations:register", kwargs={"slug": full_event.slug})
    page.goto(register_path)
    if language == "fr":
        page.get_by_role("banner").get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    problems = {"form": run_axe(page)}

    fill_registration_form(page, language=language)
    page.locator("form.form-panel").get_by_role("button").click()
    expect(page.locator(".waitlist-position")).to_be_visible()
    problems["personal page (waitlisted, with the outcome message)"] = run_axe(page)

    registration = Registration.objects.get(person__email=NEWCOMER_EMAIL)
    page.goto(reverse("registrations:cancel", kwargs={"token": registration.token}))
    problems["cancel confirmation"] = run_axe(page)

    problems = {name: found for name, found in problems.items() if found}
    report = "\n".join(f"{name}:\n{describe_violations(found)}" for name, found in problems.items())
    assert problems == {}, f"axe in {language!r}:\n{report}"

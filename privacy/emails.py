"""Emails to a person rather than about one registration: data requests.

``registrations.emails.queue_email`` needs a registration, and someone asking about their data
may have none (an invitation only) or several. These emails are written to the outbox here,
rendered in full, and handed to the same sender on commit, which sends such rows as they are.
The daily sweep (``services.requests.sweep_data_requests``) empties them once they are sent.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from registrations.emails import dispatch, one_line
from registrations.models import OutboxEmail


def write_email(
    *, to: str, kind: str, subject: str, template: str, context: dict, language: str
) -> OutboxEmail:
    """Writes an email to ``to`` from ``templates/emails/<template>.{txt,html}``.

    Saves: one OutboxEmail without a registration. Queues: its sending after the commit.
    """
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        body_text = render_to_string(f"emails/{template}.txt", full_context)
        body_html = render_to_string(f"emails/{template}.html", full_context)
        subject = one_line(str(subject))
    email = OutboxEmail.objects.create(
        registration=None,
        kind=kind,
        to=to,
        subject=subject[:250],
        body_text=body_text,
        body_html=body_html,
        attachments=[],
    )
    transaction.on_commit(partial(dispatch, email.pk))
    return email

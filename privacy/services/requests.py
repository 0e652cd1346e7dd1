"""Requests made from the privacy page: a copy of one's data, or its erasure.

Whoever types an address learns nothing from the page: the answer is the same whether the
address is known or not, and only its owner reads the email that follows. A request does
nothing until its link, sent to the address, is followed: this proves the requester holds the
address. The link's token is stored only as its SHA-256.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Person
from registrations.enums import EmailKind, EmailStatus
from registrations.models import OutboxEmail

from ..conf import request_valid_days
from ..emails import write_email
from ..enums import ErasureSource, RequestKind, RequestStatus
from ..exceptions import PrivacyError, RequestExpired
from ..models import DataRequest, ErasureLog, token_hash
from .anonymise import scrub_email_rows
from .erasure import erase_email, holds_data

# A sent request email is emptied this long after it was written: long enough for a delivery
# problem to be looked into, short enough that the outbox is no list of who asked.
SENT_EMAIL_KEPT = timedelta(days=1)
PERSON_EMAIL_KINDS = (EmailKind.DATA_REQUEST, EmailKind.DATA_EXPORT)


def request_url(token: str) -> str:
    return settings.SITE_URL + reverse("privacy:request", kwargs={"token": token})


def find_request(*, token: str) -> DataRequest | None:
    if not token or len(token) > 64:
        return None
    return DataRequest.objects.filter(token_hash=token_hash(token)).first()


def request_data(
    *, email: str, kind: str, language: str, now: datetime | None = None
) -> DataRequest:
    """Records a request about ``email`` and writes the email that answers it.

    If anything is held under the address, the email carries the link that confirms the
    request; otherwise it says that nothing is held, and the request keeps no address.
    Saves: one DataRequest, one outbox email. Queues: the email's sending after the commit.
    """
    if kind not in RequestKind.values:
        raise PrivacyError(_("Choose what you are asking for."), field="kind")
    now = now or timezone.now()
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    held = holds_data(email=email)
    valid_until = now + timedelta(days=request_valid_days())
    with transaction.atomic():
        data_request = DataRequest.objects.create(
            kind=kind,
            status=RequestStatus.AWAITING if held else RequestStatus.NOTHING_HELD,
            email=email if held else "",
            token_hash=token_hash(token),
            language=language,
            created_at=now,
            expires_at=valid_until,
            completed_at=None if held else now,
        )
        if held:
            write_email(
                to=email,
                kind=EmailKind.DATA_REQUEST,
                subject=(
                    _("Confirm your request for a copy of your data")
                    if kind == RequestKind.ACCESS
                    else _("Confirm your request to erase your data")
                ),
                template="privacy_confirm",
                context={
                    "kind": kind,
                    "link": request_url(token),
                    "valid_days": request_valid_days(),
                },
                language=language,
            )
        else:
            write_email(
                to=email,
                kind=EmailKind.DATA_REQUEST,
                subject=_("Your data request: nothing is held about this address"),
                template="privacy_nothing_held",
                context={"kind": kind},
                language=language,
            )
    return data_request


def _check_open(data_request: DataRequest, *, kind: str, now: datetime) -> None:
    if data_request.kind != kind:
        raise PrivacyError(_("This link is for another kind of request."))
    if data_request.status not in (RequestStatus.AWAITING, RequestStatus.READY):
        raise RequestExpired()
    if data_request.is_expired(now):
        raise RequestExpired()


def confirm_access(*, data_request: DataRequest, now: datetime | None = None) -> DataRequest:
    """The link of an access request was followed: its copy can be downloaded from then on,
    for ``request_valid_days``. Saves: the request (status ``ready``, its person)."""
    now = now or timezone.now()
    _check_open(data_request, kind=RequestKind.ACCESS, now=now)
    if data_request.status == RequestStatus.READY:
        return data_request
    with transaction.atomic():
        data_request.status = RequestStatus.READY
        data_request.confirmed_at = now
        data_request.expires_at = now + timedelta(days=request_valid_days())
        data_request.person = Person.objects.filter(
            email=data_request.email, anonymised_at__isnull=True
        ).first()
        data_request.save(update_fields=["status", "confirmed_at", "expires_at", "person"])
    return data_request


def check_download(*, data_request: DataRequest, now: datetime | None = None) -> None:
    """Raises unless the request's copy may be downloaded now."""
    now = now or timezone.now()
    _check_open(data_request, kind=RequestKind.ACCESS, now=now)
    if data_request.status != RequestStatus.READY:
        raise RequestExpired()


def confirm_erasure(*, data_request: DataRequest, now: datetime | None = None) -> ErasureLog:
    """The person confirmed, on the page their link opened, that they want to be erased.

    Erases them (``erase_person``, or what is held under the address alone) and closes the
    request without its address. Saves: everything ``erase_person`` saves, the request.
    """
    now = now or timezone.now()
    _check_open(data_request, kind=RequestKind.ERASURE, now=now)
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        _check_open(locked, kind=RequestKind.ERASURE, now=now)
        log = erase_email(email=locked.email, source=ErasureSource.REQUEST, now=now)
        DataRequest.objects.filter(pk=locked.pk).update(
            status=RequestStatus.DONE,
            email="",
            person=None,
            confirmed_at=now,
            completed_at=now,
        )
    data_request.refresh_from_db()
    return log


def sweep_data_requests(*, now: datetime | None = None) -> int:
    """Closes requests whose link has expired and forgets their addresses; empties the request
    emails sent more than a day ago (or that could not be sent in time).

    Saves: the requests and emails concerned. Locks: none. Safe to run twice.
    Returns how many requests were closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        expired = DataRequest.objects.filter(expires_at__lte=now)
        closed = expired.filter(status=RequestStatus.AWAITING).update(
            status=RequestStatus.EXPIRED, email="", person=None, completed_at=now
        )
        closed += expired.filter(status=RequestStatus.READY).update(
            status=RequestStatus.DONE, email="", person=None, completed_at=now
        )
        person_emails = OutboxEmail.objects.filter(
            registration__isnull=True, kind__in=PERSON_EMAIL_KINDS
        ).exclude(to="")
        scrub_email_rows(
            person_emails.exclude(status=EmailStatus.PENDING).filter(
                created_at__lte=now - SENT_EMAIL_KEPT
            )
        )
        scrub_email_rows(
            person_emails.filter(
                status=EmailStatus.PENDING,
                created_at__lte=now - timedelta(days=request_valid_days()),
            )
        )
    return closed

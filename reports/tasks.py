from celery import shared_task
from django.db import OperationalError

from . import building
from .feedback import send_due_invitations


@shared_task
def send_feedback_invitations() -> int:
    """Invites the attendees of events that have ended to their feedback survey; safe to repeat."""
    return send_due_invitations()


# --- the post-event report (reports/building.py) -------------------------------------------------


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def build_report(self, report_id: int, attempt: int) -> str | None:
    """Builds one attempt of a report. Delivered again if the worker dies; safe to run twice."""
    report = building.build_report(report_id=report_id, attempt=attempt)
    return report.status if report else None

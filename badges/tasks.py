from celery import shared_task
from django.db import OperationalError

from .printing import run_print_run


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def make_print_run(self, print_run_id: int) -> str | None:
    """Makes a print run's PDF. A lost database connection is retried; a finished run is kept."""
    print_run = run_print_run(print_run_id=print_run_id)
    return print_run.status if print_run else None

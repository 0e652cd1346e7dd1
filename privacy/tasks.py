"""Daily tasks (see ``CELERY_BEAT_SCHEDULE``): each calls a service and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def erase_special_category() -> int:
    """Erases needs and sensitive answers of events past their time; returns how many events."""
    return len(services.erase_special_category())


@shared_task
def apply_retention() -> int:
    """Anonymises events whose retention period is over; returns how many events."""
    return len(services.apply_retention())


@shared_task
def sweep_data_requests() -> int:
    """Closes expired data requests and empties old request emails; returns requests closed."""
    return services.sweep_data_requests()

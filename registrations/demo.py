"""The demo's registrations part (``manage.py load_demo``): a network privacy notice, marked as
sample data, so that the demo's upcoming events take registrations.

Registration needs a privacy notice in force (``services.current_privacy_notice``), and its text
is the network's to write (admin: Registrations › Privacy notices). A site that has a network
notice of its own keeps it: the sample is added only where there is none, once.
"""

from datetime import datetime, timedelta
from typing import Any

from .models import PrivacyNotice

SAMPLE_VERSION = "sample"
SAMPLE_TEXT = """\
**Sample data.** This notice stands in for the network's own, which organisers publish in the
admin (Registrations › Privacy notices) before registration opens.

The network keeps what you enter when you register (your name, email address, organisation,
job title, attendance mode, needs and consents) to run the event you register for: to hold your
place, send you its emails and your badge, and count attendance. Organisers of the network read
it; nobody else does. Your needs are deleted 30 days after the event, the rest after two years.
You can read, download or erase your data from the privacy page at any time.
"""


def add_sample_privacy_notice(sender: Any, *, report: Any, now: datetime, **kwargs: Any) -> None:
    """Receiver of ``agenda.demo.signals.demo_loaded``: the sample network notice, unless the
    site has a network notice. Saves: at most one PrivacyNotice."""
    if PrivacyNotice.objects.filter(event__isnull=True).exists():
        return
    PrivacyNotice.objects.create(
        event=None,
        version=SAMPLE_VERSION,
        text=SAMPLE_TEXT,
        published_at=now - timedelta(days=60),
    )
    report.created[str(PrivacyNotice._meta.verbose_name_plural)] += 1

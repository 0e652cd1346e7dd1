"""What the door tells apps above badges (webhooks), which badges knows nothing of.

Both are sent inside the transaction that writes the change, so a receiver's rows exist if and
only if the change does; receivers must stay cheap, a scan being on the door's hot path.
"""

from django.dispatch import Signal

# Sent with ``checkin`` (the new CheckIn, saved) when a person is checked in.
checkin_recorded = Signal()
# Sent with ``checkin`` (marked undone, saved) when a check-in is undone.
checkin_undone = Signal()

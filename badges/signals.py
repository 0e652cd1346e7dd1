"""What the door tells apps above badges (webhooks), which badges knows nothing of.

Both are sent inside the transaction that writes the change, so a receiver's rows exist if and
only if the change does; receivers must stay cheap, a scan being on the door's hot path.
"""

from collections.abc import Callable

from django.dispatch import Signal

# Sent with ``checkin`` (the new CheckIn, saved) when a person is checked in.
checkin_recorded = Signal()
# A receiver of ``checkin_recorded`` that acts only now and then (webhooks: when one wants the
# event's check-ins) may say beforehand, so that a scan with nobody to tell pays nothing for it:
# ``checkin_recorded_quiet[dispatch_uid] = test``, for the receiver connected with that
# ``dispatch_uid``, where ``test(event_id)`` says without a query whether it would do nothing
# for a check-in at that event. The door's fast path (``fastpath``) leaves the signal unsent
# only when every receiver has such a test and each says so.
checkin_recorded_quiet: dict[str, Callable[[int], bool]] = {}
# Sent with ``checkin`` (marked undone, saved) when a check-in is undone.
checkin_undone = Signal()

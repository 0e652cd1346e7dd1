"""What the demo loader tells apps above agenda, which add their own sample data to it.

``demo_loaded`` is sent at the end of ``load_demo``, inside its transaction, with ``report`` (the
run's ``DemoReport``: receivers count what they create in ``report.created``), ``events`` (the
demo's events, as saved) and ``now`` (the moment the run takes as the present). A receiver must
change nothing when its sample data is there already, so that a second run changes nothing.
"""

from django.dispatch import Signal

demo_loaded = Signal()

"""The production settings with the rendered-page cache switched off.

Used by ``bench/event_page.py`` to measure the event page as it is rendered after every edit
(the cache key moves with ``Event.updated_at``), rather than as it is served from the cache.
"""

from eventsite.settings import *  # noqa: F403
from eventsite.settings import CACHES

CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# The browser set-up of tests/browser (system Chromium, live server, browser tests last).
from tests.browser.conftest import (  # noqa: F401
    _chromium,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    page,
    pytest_collection_modifyitems,
)

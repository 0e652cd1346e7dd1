import pytest

from tests.factories.registrations import PrivacyNoticeFactory


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory(version="2026-01")

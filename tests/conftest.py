import os

import pytest
from django.core.cache import caches
from django.db import connection


def services_required() -> bool:
    """Under ``REQUIRE_SERVICES=1`` (CI) a missing service is a failure, never a skip."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skips the calling test unless ``condition``; under ``REQUIRE_SERVICES=1`` fails it."""
    if condition:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres() -> None:
    need(connection.vendor == "postgresql", "needs PostgreSQL (set TEST_DATABASE_URL)")


@pytest.fixture(autouse=True)
def _empty_caches():
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

"""What docs/deploy.md promises of the settings: storage, database timeouts, a clean check."""

from tests.test_settings import PRODUCTION_ENV, run_manage, show


def test_media_storage_defaults_to_the_file_system_under_media_root():
    shown = show(
        "settings.STORAGES['default'], settings.MEDIA_ROOT",
        env={**PRODUCTION_ENV, "MEDIA_ROOT": "/srv/eventsite/media"},
    )

    assert shown == (
        "{'BACKEND': 'django.core.files.storage.FileSystemStorage', 'OPTIONS': {}} "
        "/srv/eventsite/media"
    )


def test_media_storage_can_be_another_django_storage_with_its_options():
    result = run_manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; "
        "print(type(storages['default']).__name__, storages['default'].base_url)",
        env={
            **PRODUCTION_ENV,
            "MEDIA_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage",
            "MEDIA_STORAGE_OPTIONS": '{"base_url": "https://media.example.org/"}',
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "InMemoryStorage https://media.example.org/"


def test_postgresql_connections_give_up_after_a_timeout():
    shown = show(
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']",
        env={**PRODUCTION_ENV, "DATABASE_URL": "postgres://eventsite@db.internal/eventsite"},
    )
    chosen = show(
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']",
        env={
            **PRODUCTION_ENV,
            "DATABASE_URL": "postgres://eventsite@db.internal/eventsite",
            "DATABASE_CONNECT_TIMEOUT": "2",
        },
    )

    assert (shown, chosen) == ("5", "2")


def test_check_deploy_is_clean_with_the_production_stack_configured():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            **PRODUCTION_ENV,
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
            "CACHE_URL": "rediscache://127.0.0.1:6379/2",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
            "LOG_FORMAT": "json",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_unknown_log_format_refuses_to_start():
    result = run_manage("check", env={**PRODUCTION_ENV, "LOG_FORMAT": "xml"})

    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr

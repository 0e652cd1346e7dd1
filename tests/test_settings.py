import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "EVENTSITE_ENV",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "CACHE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests; never in a deployment
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs manage.py in a fresh process, so settings are read from exactly this environment."""
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "EVENTSITE_ENV": "production",
    "SECRET_KEY": "x7#k2$Lq9!vR4@pZ8&mN3^wT6*yB1%cF5(hJ0)sD-eG+uA=iO_lK",
    "ALLOWED_HOSTS": "events.example.org",
    "DATABASE_URL": "sqlite://:memory:",
}


def test_check_deploy_in_production_mode_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_in_development_mode_warns():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={"DATABASE_URL": "sqlite://:memory:"}
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG is on


def test_production_mode_without_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_environment_name_refuses_to_start():
    result = run_manage("check", env={"EVENTSITE_ENV": "staging"})

    assert result.returncode != 0
    assert "EVENTSITE_ENV" in result.stderr


def show(expression: str, env: dict[str, str]) -> str:
    result = run_manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_celery_runs_tasks_in_process_without_broker():
    shown = show(
        "settings.CELERY_TASK_ALWAYS_EAGER, "
        "__import__('eventsite').celery_app.conf.task_always_eager",
        env={"DATABASE_URL": "sqlite://:memory:"},
    )

    assert shown == "True True"


def test_celery_uses_broker_when_configured():
    shown = show(
        "settings.CELERY_TASK_ALWAYS_EAGER, __import__('eventsite').celery_app.conf.broker_url",
        env={"DATABASE_URL": "sqlite://:memory:", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"},
    )

    assert shown == "False redis://127.0.0.1:6379/5"


def test_email_defaults_to_files_under_var():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)",
        env={"DATABASE_URL": "sqlite://:memory:"},
    )

    backend, path = result.stdout.strip().splitlines()[-1].split()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path == str(ROOT / "var" / "mail")

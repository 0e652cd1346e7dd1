"""gunicorn's settings for eventsite (read from the project root: ``gunicorn eventsite.wsgi``).

Everything can be changed with environment variables, listed in docs/deploy.md. Logs go to
standard output and error, one JSON object a line (``LOG_FORMAT=plain`` for text), through the
same redaction as the site's own logs: the access log carries the path without its query string
and with tokens removed, the client's network rather than its address, and no user name.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer is a bug or a stuck dependency: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are renewed now and then, so that slow growth in memory never adds up.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front (nginx on the same host by default) whose X-Forwarded-* headers are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Without preloading, each worker loads the site itself, and a restart (HUP) reloads the code.
preload_app = False
# systemd controls the processes: no control socket in the service user's home (releases
# without this setting ignore it).
control_socket_disable = True

# The access log goes through logconfig_dict below (gunicorn's own handler stays off); the
# format is only the message, the fields come from eventsite.logging.
accesslog = None
access_log_format = "%(m)s %(U)s %(s)s"

_format = os.environ.get("LOG_FORMAT", "json")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "eventsite.logging.RedactingFilter"}},
    "formatters": {
        "json": {"()": "eventsite.logging.JsonFormatter"},
        "plain": {
            "()": "eventsite.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}

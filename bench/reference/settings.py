"""The bare Django reference: no apps, no middleware, two views.

It runs under the same gunicorn settings as the site, so the site's figures can be read as a
ratio of what Django itself manages on the same machine in the same run.
"""

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "reference.urls"
WSGI_APPLICATION = "reference.wsgi.application"
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

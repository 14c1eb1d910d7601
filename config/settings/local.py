"""Developer machine (`make run`): SQLite under var/ and the filesystem broker unless the
environment names PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Serve static files from the app folders, as collectstatic is a deployment step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

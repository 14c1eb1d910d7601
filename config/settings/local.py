"""Developer machine (`make run`): SQLite under var/ and the filesystem broker unless the
environment names PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
# One INFO line per notification e-mail instead of the whole message at WARNING (core.mail).
EMAIL_BACKEND = "core.mail.LoggingEmailBackend"

# Serve static files from the app folders, as collectstatic is a deployment step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

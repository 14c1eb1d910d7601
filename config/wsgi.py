"""The WSGI application. gunicorn imports this module once, in its master process, before it
forks the workers (preload_app, docker/gunicorn.conf.py), so what is imported here is shared by
every worker and not imported again when a worker is replaced. Importing must open no database
or Redis connection and no file: every worker would inherit it and share it with the others
(tests/test_serving.py checks)."""

import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()
# Django imports the URLconf, and with it every view, form and serializer of the project, on
# the first request: most of a fresh worker's start-up. Imported here, the master does it once.
import_module(settings.ROOT_URLCONF)

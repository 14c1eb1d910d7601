"""gunicorn in the web container (docker-compose.yml). It listens on plain HTTP behind the
city's reverse proxy, which terminates TLS and sets X-Forwarded-Proto (docs/deployment.md)."""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Worker processes, each serving WEB_THREADS requests at a time (docs/deployment.md, "Scaling").
# One thread per process is gunicorn's plain sync worker; more make it the threaded worker
# (gthread), for requests that mostly wait on the database. Every thread keeps its own database
# connection (CONN_MAX_AGE), so PostgreSQL sees up to workers x threads of them.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# The project is imported once, by the master, before it forks the workers (config/wsgi.py):
# a worker that replaces another starts serving at once, instead of importing Django and the
# whole project first while the others carry its share, and the workers share the imported
# code's memory (about 25 MB of its own per worker after a few public pages, 70 MB without).
# Importing opens no connection or file (tests/test_serving.py checks), so a worker inherits
# none to share with the others and no hook has to close one. New code needs a restart of the
# container: a HUP forks new workers from the same master and its old code.
preload_app = True


def pre_fork(server, worker) -> None:
    """Before each fork the objects the master imported are frozen (gc.freeze): they live as
    long as the process anyway, and a new worker's first full collection would otherwise walk
    all of them, touching, and so copying, every page that holds one. Measured with the bare
    view (/favicon.ico) on 2 workers, each replaced every 200 requests: 820-840 requests/s
    with the freeze, 270-460 without, 120-160 without preloading; 1,230-1,290 with no
    replacement (shared 2-core machine)."""
    gc.freeze()


# A worker process is replaced now and then, so that a slow leak never grows without bound;
# the jitter keeps the workers from being replaced all at once.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
# No control socket: nothing in the container uses it, and the user has no writable home.
control_socket_disable = True

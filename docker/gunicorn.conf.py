"""gunicorn in the web container (docker-compose.yml). It listens on plain HTTP behind the
city's reverse proxy, which terminates TLS and sets X-Forwarded-Proto (docs/deployment.md)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# A worker process is replaced now and then, so that a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
# No control socket: nothing in the container uses it, and the user has no writable home.
control_socket_disable = True

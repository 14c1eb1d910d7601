from . import request_context


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy in docker-compose; gunicorn is started with the proxy's address
    # trusted (forwarded_allow_ips) so it already reflects the client there.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context.activate(request_context.RequestContext(client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            request_context.deactivate(token)

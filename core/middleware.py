import ipaddress

from django.conf import settings

from . import request_context


def client_ip(request) -> str | None:
    """The client's address: the one function the audit trail and the login lockout use
    (AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (TRUSTED_PROXY_COUNT=0) it is REMOTE_ADDR. Behind N trusted proxies
    each appends the address of the peer it saw to X-Forwarded-For, so the client is the N-th
    entry from the right; anything further left was written by the client and may be forged,
    so it is ignored. A header with fewer entries than proxies, or an entry that is not an
    address, means the request did not come through the proxies: REMOTE_ADDR it is."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context.activate(request_context.RequestContext(client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            request_context.deactivate(token)

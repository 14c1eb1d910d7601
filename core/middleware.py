import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import request_context
from .api.exceptions import API_PREFIX, error_body
from .checkers import text_problem, writer_text


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


class HostileQueryMiddleware:
    """Refuses a query string with a control character in any parameter's name or value (issue
    9 §12): 400 with a clear message, in the API's error format under /api/. One guard for
    every filter, django-filter's filter sets and hand-written ones alike: PostgreSQL raises on
    a NUL in a text parameter (`/browse/?jurisdiction=a%00b` answered 500), and no code,
    keyword or date contains one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for text in (name, *values):
                # One checker for free text (core.checkers); a multi-line search stays legal.
                problem = text_problem(text, multiline=True)
                if problem:
                    return self.refuse(request, writer_text(name), problem)
        return self.get_response(request)

    def refuse(self, request, name: str, problem: str):
        message = _("The query parameter %(name)s cannot be read: %(problem)s") % {
            "name": name,
            "problem": problem,
        }
        if request.path.startswith(API_PREFIX):
            body = error_body(status=400, code="invalid", message=message, fields={name: [message]})
            return JsonResponse(body, status=400)
        return render(request, "core/bad_request.html", {"message": message}, status=400)

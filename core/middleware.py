import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import request_context
from .api.exceptions import API_PREFIX, error_body


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


# C0 control characters but tab, line feed and carriage return (a multi-line search is legal).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class HostileQueryMiddleware:
    """Refuses a query string with a control character in any parameter's name or value (issue
    9 §12): 400 with a clear message, in the API's error format under /api/. One guard for
    every filter, django-filter's filter sets and hand-written ones alike: PostgreSQL raises on
    a NUL in a text parameter (`/browse/?jurisdiction=a%00b` answered 500), and no code,
    keyword or date contains one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hostile = sorted(
            {
                name
                for name, values in request.GET.lists()
                if CONTROL_CHARACTERS.search(name)
                or any(CONTROL_CHARACTERS.search(value) for value in values)
            }
        )
        if hostile:
            return self.refuse(request, hostile)
        return self.get_response(request)

    def refuse(self, request, names: list[str]):
        message = _("A query parameter contains a control character: %(names)s.") % {
            "names": ", ".join(CONTROL_CHARACTERS.sub("?", name) for name in names)
        }
        if request.path.startswith(API_PREFIX):
            fields = {CONTROL_CHARACTERS.sub("?", name): [message] for name in names}
            body = error_body(status=400, code="invalid", message=message, fields=fields)
            return JsonResponse(body, status=400)
        return render(request, "core/bad_request.html", {"message": message}, status=400)

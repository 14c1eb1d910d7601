import ipaddress

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import router
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import db_router, request_context
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


# The requests that may read the replica.
READ_METHODS = frozenset({"GET", "HEAD"})
# RFC 9110's safe methods: any other request may have written something.
SAFE_METHODS = READ_METHODS | {"OPTIONS", "TRACE"}
# Set on the response to any other request: for DATABASE_REPLICA_PIN_SECONDS this client reads
# the primary. Signed with its time, so the server decides when it is over.
PIN_COOKIE = "qingdan_wrote"


class ReplicaReadsMiddleware:
    """Decides, per request, whether the replica router (core.db_router) may send its reads
    to the replica: only for a GET or HEAD of a public view (db_router.PUBLIC_VIEWS) by an
    anonymous visitor who has not sent anything else lately, and while the replica answers.
    The decision needs the resolved view, so it is taken in process_view, after the session
    and user middleware; it ends with the request. Without the router it has nothing to decide
    and leaves the chain."""

    def __init__(self, get_response):
        if not any(isinstance(each, db_router.ReplicaRouter) for each in router.routers):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        token = db_router.replica_reads_begin()
        try:
            response = self.get_response(request)
        finally:
            db_router.replica_reads_end(token)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_COOKIE,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self._public_read(request) and db_router.replica_usable():
            db_router.replica_reads_allow()

    @staticmethod
    def _public_read(request) -> bool:
        match = request.resolver_match
        return (
            request.method in READ_METHODS
            and (
                match.view_name in db_router.PUBLIC_VIEWS
                or match.namespace in db_router.PUBLIC_NAMESPACES
            )
            and request.get_signed_cookie(
                PIN_COOKIE,
                default=None,
                salt=PIN_COOKIE,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
            )
            is None
            # Last: it may read the session, which is always read from the primary.
            and not request.user.is_authenticated
        )


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

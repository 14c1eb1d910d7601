"""One error format for the whole API (issue 3 §6 "consistent error format").

Every error answer, whether DRF raised it in a view or Django answered an unknown /api/ URL or
crashed, has the same body:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"days": ["..."]}}}

`code` is stable and machine-readable (DRF's error codes: invalid, not_found, permission_denied,
not_authenticated, method_not_allowed, throttled, parse_error, ...; too_large and
too_many_fields for a body Django will not read); `message` is for people, in the
request's language; `fields` appears only for validation errors, one list of messages per
parameter."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.checkers import CheckedSerializer

API_PREFIX = "/api/"


class ActionConflict(exceptions.APIException):
    """An action of a record's procedure that is not possible now (its state, not the user's
    turn: a TransitionRefused), as the workflow apps' APIs answer it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("This action is not possible now.")


class ActionRefused(exceptions.APIException):
    """An action whose service refused what was sent (a DomainError other than the state or
    the turn), as the workflow apps' APIs answer it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"
    default_detail = gettext_lazy("The action was refused.")


def error_body(*, status: int, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"status": status, "code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def _field_messages(detail, prefix: str = "") -> dict[str, list[str]]:
    """Validation details as {parameter: [messages]}; nested parts are named with dots
    (flow.0.step) so a client can still point at the input."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            found.update(_field_messages(value, f"{prefix}{key}."))
        return found
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        found = {}
        for position, value in enumerate(detail):
            found.update(_field_messages(value, f"{prefix}{position}."))
        return found
    messages = detail if isinstance(detail, list) else [detail]
    name = prefix.rstrip(".") or api_settings.NON_FIELD_ERRORS_KEY
    return {name: [str(message) for message in messages]}


def _unread_body(exc) -> tuple[int, str, str] | None:
    """A body Django refused to read (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS,
    DATA_UPLOAD_MAX_NUMBER_FILES): status, code and message, or None for anything else."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "too_large", _("The request body is too large.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, "too_many_fields", _("The request has too many fields or files.")
    return None


def exception_handler(exc, context):
    """DRF's handler (it turns Http404 and PermissionDenied into API errors, sets the
    Retry-After and WWW-Authenticate headers and rolls back), with the body rewritten into the
    one format. Anything else is left to Django's handler500 (below)."""
    unread = _unread_body(exc)
    if unread is not None:
        status, code, message = unread
        return Response(error_body(status=status, code=code, message=message), status=status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            status=response.status_code,
            code="invalid",
            message=_("Some parameters are not valid."),
            fields=_field_messages(exc.detail),
        )
        return response
    # DRF converts Django's Http404 and PermissionDenied only for its own response: their
    # code and message are read from the response it built, not from `exc`.
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, exceptions.ErrorDetail):
        code = detail.code or code
    message = str(detail) if isinstance(detail, str) else _("The request failed.")
    response.data = error_body(status=response.status_code, code=code, message=message)
    return response


def bad_request(request, exception):
    """Django's handler400, for a SuspiciousOperation raised outside an API view's own handling
    (a body Django refused to read, a bad host): the API's format under /api/; pages keep
    Django's own."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    status, code, message = _unread_body(exception) or (400, "bad_request", _("Bad request."))
    return JsonResponse(error_body(status=status, code=code, message=message), status=status)


def not_found(request, exception):
    """Django's handler404: an unknown URL under /api/ answers in the API's format; pages keep
    Django's own."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body(
                status=404, code="not_found", message=_("There is no API endpoint at this URL.")
            ),
            status=404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's handler500: the details are in the server log, never in the answer."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body(
                status=500,
                code="server_error",
                message=_("An unexpected error occurred on the server. Please try again later."),
            ),
            status=500,
        )
    return defaults.server_error(request)


class ErrorDetailSerializer(CheckedSerializer):
    status = serializers.IntegerField(help_text=gettext_lazy("The HTTP status."))
    code = serializers.CharField(
        help_text=gettext_lazy(
            "invalid, not_found, permission_denied, not_authenticated, method_not_allowed, "
            "throttled, server_error, ..."
        )
    )
    message = serializers.CharField(help_text=gettext_lazy("For people, in their language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("Validation errors only: the messages of each parameter."),
    )


class ErrorSerializer(CheckedSerializer):
    """The error body, for views to name in their documented responses."""

    error = ErrorDetailSerializer()

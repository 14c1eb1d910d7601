"""The OpenAPI schema's shared rules (issue 9 §18), so that every operation, present and future,
documents what the server really answers:

- security: an operation the public may call (its permissions admit an anonymous user) is
  anonymous in the schema (`security: [{}]`); the session cookie is named only where a login is
  needed;
- error answers: each operation lists the error statuses its mechanism can give, with the
  API's error body (core.api.exceptions): 400 where it takes query parameters or a body, 403
  where a login is needed, 404 where it has path parameters or pages, 413 and 415 where it takes
  a body, 429 where it is throttled. A view's own documented answer for a status wins;
- text for readers only: summaries and descriptions come from `extend_schema` (gettext_lazy,
  rendered in the request's language), never from docstrings, which are written for
  developers and in English."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.drainage import get_override
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from .exceptions import ErrorSerializer

ANONYMOUS = [{}]


def _error(description) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class AutoSchema(openapi.AutoSchema):
    def _anonymous_allowed(self) -> bool:
        http = HttpRequest()
        http.method = self.method
        request = Request(http)
        request.user = AnonymousUser()
        return all(
            permission.has_permission(request, self.view)
            for permission in self.view.get_permissions()
        )

    def get_auth(self):
        if self._anonymous_allowed():
            return ANONYMOUS
        return super().get_auth()

    def get_description(self) -> str:
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if get_override(serializer, "description") is None:
            schema.pop("description", None)
        return schema

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        parameters = self._get_parameters()
        has_body = self.method in ("POST", "PUT", "PATCH")
        paginated = self._is_list_view() and self._get_paginator() is not None
        errors = {}
        if has_body or any(parameter["in"] == "query" for parameter in parameters):
            errors["400"] = _error(_("Invalid parameters; error.fields names each one."))
        if not self._anonymous_allowed():
            errors["403"] = _error(_("Not logged in, or not allowed for this role."))
        if paginated or any(parameter["in"] == "path" for parameter in parameters):
            errors["404"] = _error(_("Not found: no such object, or a page past the last."))
        if has_body:
            errors["413"] = _error(_("The request body is too large."))
            errors["415"] = _error(_("The body's media type is not accepted."))
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = _error(_("Too many requests; Retry-After says when to try again."))
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))

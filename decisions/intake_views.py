"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class TokenListView(_Stub):
    pass


class TokenCreateView(_Stub):
    pass


class TokenRevokeView(_Stub):
    pass


class ImportListView(_Stub):
    pass


class ImportCreateView(_Stub):
    pass


class ImportTemplateView(_Stub):
    pass


class ImportView(_Stub):
    pass


class ImportProgressView(_Stub):
    pass


class CreditView(_Stub):
    pass


class CreditExportView(_Stub):
    pass

"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class IntakeView(_Stub):
    pass


class IntakeItemView(_Stub):
    pass


class CreditFeedView(_Stub):
    pass

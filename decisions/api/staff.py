"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class DecisionListView(_Stub):
    pass


class DecisionDetailView(_Stub):
    pass


class TransitionsView(_Stub):
    pass

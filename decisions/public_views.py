"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class SearchView(_Stub):
    pass


class DecisionView(_Stub):
    pass


class BodyListView(_Stub):
    pass


class OfficerListView(_Stub):
    pass


def DecisionFeed():
    return _Stub.as_view()

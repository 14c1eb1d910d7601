"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class ReviewListView(_Stub):
    pass


class ReviewCreateView(_Stub):
    pass


class ReviewView(_Stub):
    pass


class ReviewActView(_Stub):
    pass


class ReviewedFileView(_Stub):
    pass


class StatisticsView(_Stub):
    pass

"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class QueueView(_Stub):
    pass


class DecisionCreateView(_Stub):
    pass


class CaseCreateView(_Stub):
    pass


class DecisionDetailView(_Stub):
    pass


class DecisionActView(_Stub):
    pass


class RecordFileView(_Stub):
    pass


class BodyListView(_Stub):
    pass


class BodyEditView(_Stub):
    pass


class BodyView(_Stub):
    pass


class BodyActView(_Stub):
    pass


class BodyPapersView(_Stub):
    pass


class OfficerListView(_Stub):
    pass


class OfficerEditView(_Stub):
    pass

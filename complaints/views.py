"""Staff pages of complaints (issue 12 §2, §13)."""

from django.http import HttpResponse
from django.views import View


class _Pending(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


QueueView = RecordView = DetailView = ActView = EvidenceView = _Pending

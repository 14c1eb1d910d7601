"""Public pages of complaints (issue 12 §1, §3, §10, §12)."""

from django.http import HttpResponse
from django.views import View


class _Pending(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


ComplaintFileView = ItemPickerView = TrackView = StatisticsView = StatisticsExportView = (
    CaptchaView
) = _Pending

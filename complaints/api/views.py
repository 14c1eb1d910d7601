"""The API of complaints (issue 12 §13: the same permissions as the pages)."""

from rest_framework.response import Response
from rest_framework.views import APIView


class _Pending(APIView):
    def get(self, request, *args, **kwargs):
        return Response(status=501)


ComplaintListView = TrackView = StatisticsView = ComplaintDetailView = TransitionsView = _Pending

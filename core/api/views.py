from rest_framework.views import APIView


class CalendarAddApiView(APIView):
    """Placeholder replaced by the calendar work."""

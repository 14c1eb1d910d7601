"""The API of complaints, mounted at /api/v1/ (issue 12 §1, §3, §13)."""

from django.urls import path

from . import views

app_name = "complaints-api"

urlpatterns = [
    # GET: staff, the complaints they may see; POST: anyone files one (issue 12 §1).
    path("complaints/", views.ComplaintListView.as_view(), name="complaints"),
    # POST code and secret: the public tracking (issue 12 §3), throttled as the page is.
    path("complaints/track/", views.TrackView.as_view(), name="track"),
    path("complaints/stats/", views.StatisticsView.as_view(), name="stats"),
    path("complaints/<key:code>/", views.ComplaintDetailView.as_view(), name="complaint"),
    path(
        "complaints/<key:code>/transitions/",
        views.TransitionsView.as_view(),
        name="transitions",
    ),
]

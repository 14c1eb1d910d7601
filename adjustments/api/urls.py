"""The API of the adjustment procedure, mounted at /api/v1/ (issue 4 §8)."""

from django.urls import path

from . import views

app_name = "adjustments-api"

urlpatterns = [
    path("adjustments/", views.RequestListView.as_view(), name="requests"),
    path("adjustments/<key:number>/", views.RequestDetailView.as_view(), name="request"),
    path(
        "adjustments/<key:number>/transitions/",
        views.TransitionsView.as_view(),
        name="transitions",
    ),
    path(
        "adjustments/<key:number>/messages/",
        views.MessagesView.as_view(),
        name="messages",
    ),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcements"),
]

"""Pages of the adjustment procedure: staff work under /work/adjustments/, the public
announcements of published adjustments under /announcements/ (SPEC §10)."""

from django.urls import path

from . import announcement_views, views

app_name = "adjustments"

urlpatterns = [
    # Staff: each role's requests, a new request, the jurisdiction's policy.
    path("work/adjustments/", views.RequestListView.as_view(), name="list"),
    path("work/adjustments/new/", views.RequestCreateView.as_view(), name="new"),
    path("work/adjustments/policy/", views.PolicyView.as_view(), name="policy"),
    # One request: its items, timeline and the actions open to the user.
    path("work/adjustments/<key:number>/", views.RequestDetailView.as_view(), name="detail"),
    path("work/adjustments/<key:number>/edit/", views.RequestEditView.as_view(), name="edit"),
    path(
        "work/adjustments/<key:number>/attachments/<int:pk>/",
        views.AttachmentView.as_view(),
        name="attachment",
    ),
    path(
        "work/adjustments/<key:number>/messages/",
        views.MessageView.as_view(),
        name="message",
    ),
    path(
        "work/adjustments/<key:number>/do/<key:transition>/",
        views.TransitionView.as_view(),
        name="act",
    ),
    # The public: published adjustments with the difference of every entry, and their feed.
    path("announcements/", announcement_views.AnnouncementListView.as_view(), name="announcements"),
    path(
        "announcements/feed/",
        announcement_views.AnnouncementFeed(),
        name="announcements-feed",
    ),
    path(
        "announcements/<key:number>/",
        announcement_views.AnnouncementDetailView.as_view(),
        name="announcement",
    ),
]

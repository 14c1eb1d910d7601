from django.urls import path

from . import public_views, record_views, views

app_name = "complaints"

urlpatterns = [
    # The public (issue 12 §1, §3, §12).
    path("complaints/new/", public_views.ComplaintFileView.as_view(), name="new"),
    path("complaints/items/", public_views.ItemPickerView.as_view(), name="item-picker"),
    path("complaints/track/", public_views.TrackView.as_view(), name="track"),
    path("complaints/stats/", public_views.StatisticsView.as_view(), name="stats"),
    path("complaints/stats.xlsx", public_views.StatisticsExportView.as_view(), name="stats-xlsx"),
    path("complaints/captcha/<key:token>.svg", public_views.CaptchaView.as_view(), name="captcha"),
    # Staff (issue 12 §2, §13).
    path("work/complaints/", views.QueueView.as_view(), name="queue"),
    path("work/complaints/record/", record_views.RecordView.as_view(), name="record"),
    path("work/complaints/<key:code>/", views.DetailView.as_view(), name="detail"),
    path("work/complaints/<key:code>/act/<key:action>/", views.ActView.as_view(), name="act"),
    path("work/complaints/evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
]

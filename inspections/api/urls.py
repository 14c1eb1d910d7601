"""The API of inspections, mounted at /api/v1/ (issue 13 §8)."""

from django.urls import path

from . import views

app_name = "inspections-api"

urlpatterns = [
    # Anyone (国办发〔2015〕58号: 双随机、一公开).
    path("inspections/contents/", views.ContentListView.as_view(), name="contents"),
    path("inspections/draws/", views.DrawListView.as_view(), name="draws"),
    path("inspections/draws/<int:pk>/", views.DrawDetailView.as_view(), name="draw"),
    path("inspections/reports/", views.ReportListView.as_view(), name="reports"),
    # Staff, through the selectors.
    path("inspections/plans/", views.PlanListView.as_view(), name="plans"),
    path("inspections/plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path(
        "inspections/plans/<int:pk>/transitions/",
        views.PlanTransitionsView.as_view(),
        name="plan-transitions",
    ),
    path("inspections/visits/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection"),
    path("inspections/problems/", views.ProblemListView.as_view(), name="problems"),
    path("inspections/problems/<int:pk>/", views.ProblemDetailView.as_view(), name="problem"),
    path("inspections/notices/", views.NoticeListView.as_view(), name="notices"),
    path("inspections/notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice"),
    path(
        "inspections/notices/<int:pk>/transitions/",
        views.NoticeTransitionsView.as_view(),
        name="notice-transitions",
    ),
]

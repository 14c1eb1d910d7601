from django.urls import path

from . import ledger_views, plan_views, public_views

app_name = "inspections"

urlpatterns = [
    # The public (issue 13 §1, §2, §7): what is inspected, the draws, the reports.
    path("inspections/", public_views.IndexView.as_view(), name="public-index"),
    path("inspections/items/", public_views.ContentListView.as_view(), name="public-contents"),
    path("inspections/draws/", public_views.DrawListView.as_view(), name="public-draws"),
    path("inspections/draws/<int:pk>/", public_views.DrawView.as_view(), name="public-draw"),
    path("inspections/reports/", public_views.ReportListView.as_view(), name="public-reports"),
    path("inspections/reports/feed/", public_views.ReportFeed(), name="public-reports-feed"),
    path("inspections/reports/<int:pk>/", public_views.ReportView.as_view(), name="public-report"),
    path(
        "inspections/reports/<int:pk>.pdf",
        public_views.ReportPdfView.as_view(),
        name="public-report-pdf",
    ),
    # Staff: plans, draws and inspections (issue 13 §1–§3, §8).
    path("inspections/work/", plan_views.QueueView.as_view(), name="queue"),
    path("inspections/plans/", plan_views.PlanListView.as_view(), name="plans"),
    path("inspections/plans/new/", plan_views.PlanCreateView.as_view(), name="plan-new"),
    path("inspections/plans/<int:pk>/", plan_views.PlanView.as_view(), name="plan"),
    path(
        "inspections/plans/<int:pk>/act/<key:action>/",
        plan_views.PlanActView.as_view(),
        name="plan-act",
    ),
    path("inspections/visits/<int:pk>/", plan_views.InspectionView.as_view(), name="inspection"),
    path(
        "inspections/visits/<int:pk>/act/<key:action>/",
        plan_views.InspectionActView.as_view(),
        name="inspection-act",
    ),
    path(
        "inspections/visits/<int:pk>/notice.pdf",
        plan_views.InspectionNoticePdfView.as_view(),
        name="inspection-notice-pdf",
    ),
    path("inspections/files/<int:pk>/", plan_views.AttachmentView.as_view(), name="attachment"),
    # Staff: the ledger, notices and rectification, the assessment ledger, reports (§4–§7).
    path("inspections/problems/", ledger_views.ProblemListView.as_view(), name="problems"),
    path(
        "inspections/problems.xlsx", ledger_views.ProblemExportView.as_view(), name="problems-xlsx"
    ),
    path("inspections/problems/new/", ledger_views.ProblemCreateView.as_view(), name="problem-new"),
    path(
        "inspections/problems/from-complaint/",
        ledger_views.ProblemFromComplaintView.as_view(),
        name="problem-from-complaint",
    ),
    path("inspections/problems/<int:pk>/", ledger_views.ProblemView.as_view(), name="problem"),
    path(
        "inspections/problems/<int:pk>/act/<key:action>/",
        ledger_views.ProblemActView.as_view(),
        name="problem-act",
    ),
    path("inspections/notices/", ledger_views.NoticeListView.as_view(), name="notices"),
    path("inspections/notices/new/", ledger_views.NoticeCreateView.as_view(), name="notice-new"),
    path("inspections/notices/<int:pk>/", ledger_views.NoticeView.as_view(), name="notice"),
    path(
        "inspections/notices/<int:pk>/act/<key:action>/",
        ledger_views.NoticeActView.as_view(),
        name="notice-act",
    ),
    path(
        "inspections/notices/<int:pk>/notice.pdf",
        ledger_views.NoticePdfView.as_view(),
        name="notice-pdf",
    ),
    path("inspections/assessment/", ledger_views.AssessmentListView.as_view(), name="assessment"),
    path("inspections/reports/new/", ledger_views.ReportCreateView.as_view(), name="report-new"),
]

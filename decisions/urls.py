from django.urls import path

from . import intake_views, public_views, review_views, staff_views

app_name = "decisions"

urlpatterns = [
    # The public (issue 14 §1, §3): published decisions, enforcement bodies and officers.
    path("decisions/", public_views.SearchView.as_view(), name="public-index"),
    path("decisions/feed/", public_views.DecisionFeed(), name="public-feed"),
    path("decisions/<int:pk>/", public_views.DecisionView.as_view(), name="public-detail"),
    path("decisions/bodies/", public_views.BodyListView.as_view(), name="public-bodies"),
    path("decisions/officers/", public_views.OfficerListView.as_view(), name="public-officers"),
    # Staff: decisions and penalty cases (issue 14 §2, §3, §5, §6).
    path("decisions/work/", staff_views.QueueView.as_view(), name="staff-list"),
    path("decisions/work/new/", staff_views.DecisionCreateView.as_view(), name="staff-new"),
    path("decisions/work/cases/new/", staff_views.CaseCreateView.as_view(), name="case-new"),
    path("decisions/work/<int:pk>/", staff_views.DecisionDetailView.as_view(), name="staff-detail"),
    path(
        "decisions/work/<int:pk>/act/<key:action>/",
        staff_views.DecisionActView.as_view(),
        name="staff-act",
    ),
    path(
        "decisions/work/<int:pk>/steps/",
        review_views.FlowStepTimesView.as_view(),
        name="step-times",
    ),
    path(
        "decisions/work/<int:pk>/records/<int:record>/",
        staff_views.RecordFileView.as_view(),
        name="record-file",
    ),
    # Staff: enforcement bodies and officers (issue 14 §1).
    path("decisions/work/bodies/", staff_views.BodyListView.as_view(), name="bodies"),
    path("decisions/work/bodies/new/", staff_views.BodyEditView.as_view(), name="body-new"),
    path("decisions/work/bodies/<int:pk>/", staff_views.BodyView.as_view(), name="body"),
    path(
        "decisions/work/bodies/<int:pk>/edit/", staff_views.BodyEditView.as_view(), name="body-edit"
    ),
    path(
        "decisions/work/bodies/<int:pk>/act/<key:action>/",
        staff_views.BodyActView.as_view(),
        name="body-act",
    ),
    path(
        "decisions/work/bodies/<int:pk>/papers/",
        staff_views.BodyPapersView.as_view(),
        name="body-papers",
    ),
    path("decisions/work/officers/", staff_views.OfficerListView.as_view(), name="officers"),
    path("decisions/work/officers/new/", staff_views.OfficerEditView.as_view(), name="officer-new"),
    path(
        "decisions/work/officers/<int:pk>/", staff_views.OfficerEditView.as_view(), name="officer"
    ),
    # Staff: case systems' keys, Excel imports, the credit-system exchange (issue 14 §4, §5).
    path("decisions/work/keys/", intake_views.TokenListView.as_view(), name="tokens"),
    path("decisions/work/keys/new/", intake_views.TokenCreateView.as_view(), name="token-new"),
    path(
        "decisions/work/keys/<int:pk>/revoke/",
        intake_views.TokenRevokeView.as_view(),
        name="token-revoke",
    ),
    path("decisions/work/imports/", intake_views.ImportListView.as_view(), name="imports"),
    path("decisions/work/imports/new/", intake_views.ImportCreateView.as_view(), name="import-new"),
    path(
        "decisions/work/imports/template.xlsx",
        intake_views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    path("decisions/work/imports/<int:pk>/", intake_views.ImportView.as_view(), name="import"),
    path(
        "decisions/work/imports/<int:pk>/progress/",
        intake_views.ImportProgressView.as_view(),
        name="import-progress",
    ),
    path("decisions/work/credit/", intake_views.CreditView.as_view(), name="credit"),
    path(
        "decisions/work/credit/<key:kind>.<key:fmt>",
        intake_views.CreditExportView.as_view(),
        name="credit-export",
    ),
    # Supervisors: case-file reviews and statistics (issue 14 §7, §9).
    path("decisions/reviews/", review_views.ReviewListView.as_view(), name="reviews"),
    path("decisions/reviews/new/", review_views.ReviewCreateView.as_view(), name="review-new"),
    path("decisions/reviews/<int:pk>/", review_views.ReviewView.as_view(), name="review"),
    path(
        "decisions/reviews/<int:pk>/act/<key:action>/",
        review_views.ReviewActView.as_view(),
        name="review-act",
    ),
    path(
        "decisions/reviews/<int:pk>/files/<int:file>/",
        review_views.ReviewedFileView.as_view(),
        name="review-file",
    ),
    path("decisions/statistics/", review_views.StatisticsView.as_view(), name="statistics"),
]

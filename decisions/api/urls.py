"""The API of decisions, mounted at /api/v1/ (issue 14 §3–§5)."""

from django.urls import path

from . import intake, public, staff

app_name = "decisions-api"

urlpatterns = [
    # Anyone: published decisions (their public text only) and enforcement bodies.
    path("decisions/", public.DecisionListView.as_view(), name="list"),
    path("decisions/<int:pk>/", public.DecisionDetailView.as_view(), name="detail"),
    path("decisions/bodies/", public.BodyListView.as_view(), name="bodies"),
    # Staff, through the selectors: decisions in full and what each user may do now.
    path("decisions/work/", staff.DecisionListView.as_view(), name="staff-list"),
    path("decisions/work/<int:pk>/", staff.DecisionDetailView.as_view(), name="staff-detail"),
    path(
        "decisions/work/<int:pk>/transitions/",
        staff.TransitionsView.as_view(),
        name="transitions",
    ),
    # Case systems, with a department's key (issue 14 §5).
    path("decisions/intake/", intake.IntakeView.as_view(), name="intake"),
    path(
        "decisions/intake/<key:external_id>/",
        intake.IntakeItemView.as_view(),
        name="intake-item",
    ),
    # The credit-system exchange (双公示, issue 14 §4): changed since a moment.
    path("decisions/credit/<key:kind>/", intake.CreditFeedView.as_view(), name="credit-feed"),
]

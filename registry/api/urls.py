"""The read API of the register, mounted at /api/v1/ (issue 3 §6)."""

from django.urls import path

from core.page_cache import cached_public_page as cached

from . import views

app_name = "registry-api"

urlpatterns = [
    path("jurisdictions/", cached(views.JurisdictionListView.as_view()), name="jurisdictions"),
    path(
        "jurisdictions/<key:code>/",
        cached(views.JurisdictionDetailView.as_view()),
        name="jurisdiction",
    ),
    path("departments/", cached(views.DepartmentListView.as_view()), name="departments"),
    path("departments/<int:pk>/", cached(views.DepartmentDetailView.as_view()), name="department"),
    path("categories/", cached(views.CategoryListView.as_view()), name="categories"),
    path("laws/", cached(views.LawListView.as_view()), name="laws"),
    path("laws/<int:pk>/", cached(views.LawDetailView.as_view()), name="law"),
    path("items/", cached(views.EntryListView.as_view()), name="items"),
    path("items/<key:code>/", cached(views.EntryDetailView.as_view()), name="item"),
    path(
        "items/<key:code>/history/", cached(views.EntryHistoryView.as_view()), name="item-history"
    ),
    path("items/<key:code>/diff/", cached(views.EntryDiffView.as_view()), name="item-diff"),
]

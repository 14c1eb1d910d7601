"""The read API of the register, mounted at /api/v1/ (issue 3 §6)."""

from django.urls import path

from . import views

app_name = "registry-api"

urlpatterns = [
    path("jurisdictions/", views.JurisdictionListView.as_view(), name="jurisdictions"),
    path("jurisdictions/<key:code>/", views.JurisdictionDetailView.as_view(), name="jurisdiction"),
    path("departments/", views.DepartmentListView.as_view(), name="departments"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department"),
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("laws/", views.LawListView.as_view(), name="laws"),
    path("laws/<int:pk>/", views.LawDetailView.as_view(), name="law"),
    path("items/", views.EntryListView.as_view(), name="items"),
    path("items/<key:code>/", views.EntryDetailView.as_view(), name="item"),
    path("items/<key:code>/history/", views.EntryHistoryView.as_view(), name="item-history"),
    path("items/<key:code>/diff/", views.EntryDiffView.as_view(), name="item-diff"),
]

from django.urls import path

from core.page_cache import cached_public_page as cached

from . import item_views, staff_views, views

app_name = "registry"

urlpatterns = [
    # The public network (SPEC §10): browse, search and export the published lists, cached per
    # published state for the public (core.page_cache).
    path("lists/", cached(views.EntryListView.as_view()), name="entries"),
    path("lists/export.xlsx", views.EntryExportView.as_view(fmt="xlsx"), name="export-xlsx"),
    path("lists/export.csv", views.EntryExportView.as_view(fmt="csv"), name="export-csv"),
    path("browse/", cached(views.BrowseView.as_view()), name="browse"),
    # One entry: every public field, its versions and their differences.
    path("items/<key:code>/", cached(item_views.EntryDetailView.as_view()), name="entry"),
    path(
        "items/<key:code>/history/",
        cached(item_views.EntryHistoryView.as_view()),
        name="entry-history",
    ),
    path("items/<key:code>/diff/", cached(item_views.EntryDiffView.as_view()), name="entry-diff"),
    path("laws/", cached(item_views.LawListView.as_view()), name="laws"),
    path("laws/<int:pk>/", cached(item_views.LawDetailView.as_view()), name="law"),
    # Staff: a department's drafts, the import, the consistency report.
    path("work/entries/", staff_views.MyEntriesView.as_view(), name="my-entries"),
    path(
        "work/entries/<key:code>/draft/",
        staff_views.DraftStartView.as_view(),
        name="draft-start",
    ),
    path("work/drafts/new/", staff_views.DraftCreateView.as_view(), name="draft-new"),
    path("work/drafts/<int:pk>/", staff_views.DraftEditView.as_view(), name="draft-edit"),
    path(
        "work/drafts/<int:pk>/discard/",
        staff_views.DraftDiscardView.as_view(),
        name="draft-discard",
    ),
    path("work/import/", staff_views.ImportView.as_view(), name="import"),
    path("work/import/<int:pk>/", staff_views.ImportJobView.as_view(), name="import-job"),
    path(
        "work/import/<int:pk>/confirm/",
        staff_views.ImportJobConfirmView.as_view(),
        name="import-job-confirm",
    ),
    path(
        "work/import/template.xlsx",
        staff_views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    path("work/consistency/", staff_views.ConsistencyView.as_view(), name="consistency"),
]

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    # The language switch carries no CSRF token, so that the public pages hold nothing of one
    # visitor and are cached for all (core.page_cache); a forged switch changes a cookie of
    # the visitor's language and nothing else.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("core.api.urls")),
    path("api/v1/", include("registry.api.urls")),
    path("api/v1/", include("adjustments.api.urls")),
    path("api/v1/", include("complaints.api.urls")),
    path("api/v1/", include("inspections.api.urls")),
    path("api/v1/", include("decisions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("registry.urls")),
    path("", include("adjustments.urls")),
    path("", include("complaints.urls")),
    path("", include("inspections.urls")),
    path("", include("decisions.urls")),
    path("", include("core.urls")),
]

# Unknown /api/ URLs and server errors answer in the API's error format (core.api.exceptions).
handler400 = "core.api.exceptions.bad_request"
handler404 = "core.api.exceptions.not_found"
handler500 = "core.api.exceptions.server_error"

"""The site's routes: wiring only. Pages and the REST API are the web app's; /v1/* is ingestion's."""

from django.contrib import admin
from django.urls import include, path

from core.views import healthz, readyz

admin.site.site_header = "Waypoint administration"
admin.site.site_title = "Waypoint admin"
admin.site.index_title = "Methodology, rules and data"

handler500 = "core.views.server_error"

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("web.api.urls")),
    path("", include("ingestion.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("web.urls")),
]

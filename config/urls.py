from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import home
from core.views import healthz, readyz
from journey.ingest_views import segment_endpoint

admin.site.site_header = "Waypoint administration"
admin.site.site_title = "Waypoint admin"
admin.site.index_title = "Methodology, rules and data"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("companies/", include("journey.urls")),
    path("", include("milestones.urls")),
    path("", include("playbooks.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    # Segment-compatible ingestion; with or without a trailing slash, so no SDK is ever redirected.
    re_path(
        r"^v1/(?P<kind>batch|track|identify|group|page|screen|alias)/?$",
        segment_endpoint,
        name="segment",
    ),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

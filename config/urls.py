from django.contrib import admin
from django.urls import include, path

from accounts.views import home
from core.views import healthz, readyz

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
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

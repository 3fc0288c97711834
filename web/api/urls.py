"""The REST API (/api/): version 1 under v1/, its OpenAPI schema and interactive docs. Wiring only."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from core.api import api_not_found
from web import converters  # noqa: F401 - registers <external_id:…>
from web.api.ctas import CTAViewSet
from web.api.funnel import CompanyForecastAPIView, FunnelAPIView
from web.api.methodology import MethodologyView
from web.api.views import CompanyViewSet, ContactViewSet, EventViewSet, MetricValueViewSet

app_name = "api"

# Path converters, not regexes: a company's external id is what companies/ids.py accepts.
router = SimpleRouter(use_regex_path=False)
router.register("companies", CompanyViewSet, basename="company")
router.register("contacts", ContactViewSet, basename="contact")
router.register("events", EventViewSet, basename="event")
router.register("metrics", MetricValueViewSet, basename="metric")
router.register("ctas", CTAViewSet, basename="cta")


class SchemaView(SpectacularAPIView):
    """The schema for token clients and the docs page; its errors in JSON like the rest of the API, not in
    the schema's YAML."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response


v1 = [
    *router.urls,
    path("methodology/", MethodologyView.as_view(), name="methodology"),
    path("funnel/", FunnelAPIView.as_view(), name="funnel"),
    path(
        "companies/<external_id:external_id>/forecast/",
        CompanyForecastAPIView.as_view(),
        name="company_forecast",
    ),
]


def docs_page(view, **policy):
    """The docs are pages for people: strangers go to the login form (DRF views skip the login middleware
    and would answer 401). Swagger UI and ReDoc are served from this server (drf-spectacular-sidecar) and
    write inline styles, so their pages alone allow them (settings' CONTENT_SECURITY_POLICY)."""
    return login_required(csp_update({"style-src": ["'unsafe-inline'"], **policy})(view))


urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its start script from a URL instead of inline, which script-src 'self' allows.
    path("docs/", docs_page(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path(
        "redoc/",
        docs_page(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="web/api/redoc.html"),
            **{"worker-src": ["blob:"]},  # ReDoc searches in a worker it makes from a blob
        ),
        name="redoc",
    ),
    re_path(r"^(?P<path>[\s\S]*)$", api_not_found),  # last: unknown /api/ URLs (any character) get a JSON 404
]

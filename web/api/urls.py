"""The REST API (/api/): version 1 under v1/, its OpenAPI schema and interactive docs. Wiring only."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from core.api import api_not_found
from web import converters  # noqa: F401 - registers <external_id:…>
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

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # DRF views skip the login middleware (they answer 401 themselves); the docs are a page for people,
    # so strangers go to the login form.
    path("docs/", login_required(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    re_path(r"^(?P<path>.*)$", api_not_found),  # last: unknown /api/ URLs get a JSON 404
]

"""The product's pages. Each page composes the domain apps through their selectors and services."""

from django.urls import path

from web import converters  # noqa: F401 - registers <external_id:…>
from web.pages import analytics, companies, funnel, home, playbooks

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("queue/", playbooks.queue, name="queue"),
    path("funnel/", funnel.funnel, name="funnel"),
    path("funnel/buyer/", analytics.buyer, name="buyer_funnel"),
    path("funnel/trends/", analytics.trends_page, name="funnel_trends"),
    path("funnel/forecast/", analytics.forecast_page, name="funnel_forecast"),
    path("funnel/export/<slug:table>.csv", analytics.export_csv, name="funnel_csv"),
    path("methodology/", playbooks.portal, name="portal"),
    path("companies/", companies.company_list, name="company_list"),
    path("companies/<external_id:external_id>/", companies.company_detail, name="company_detail"),
    path("companies/<external_id:external_id>/events/", companies.company_event_list, name="company_events"),
    path("companies/<external_id:external_id>/journey/", companies.company_journey, name="company_journey"),
]

"""The product's pages. Each page composes the domain apps through their selectors and services."""

from django.urls import path

from web import converters  # noqa: F401 - registers <external_id:…>
from web.pages import analytics, companies, ctas, funnel, home, playbooks, portal, queue

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("queue/", queue.queue, name="queue"),
    path("queue/bulk/", queue.queue_bulk, name="queue_bulk"),
    path("queue/round-robin/", queue.queue_round_robin, name="queue_round_robin"),
    path("ctas/<int:cta_id>/", ctas.cta_detail, name="cta_detail"),
    path("ctas/<int:cta_id>/start/", ctas.cta_start, name="cta_start"),
    path("ctas/<int:cta_id>/snooze/", ctas.cta_snooze, name="cta_snooze"),
    path("ctas/<int:cta_id>/wake/", ctas.cta_wake, name="cta_wake"),
    path("ctas/<int:cta_id>/close/", ctas.cta_close, name="cta_close"),
    path("ctas/<int:cta_id>/assign/", ctas.cta_assign, name="cta_assign"),
    path("ctas/<int:cta_id>/tasks/", ctas.cta_task, name="cta_task"),
    path("funnel/", funnel.funnel, name="funnel"),
    path("funnel/buyer/", analytics.buyer, name="buyer_funnel"),
    path("funnel/trends/", analytics.trends_page, name="funnel_trends"),
    path("funnel/forecast/", analytics.forecast_page, name="funnel_forecast"),
    path("funnel/export/<slug:table>.csv", analytics.export_csv, name="funnel_csv"),
    path("methodology/", playbooks.portal, name="portal"),
    path("methodology/links/", portal.share_link_list, name="share_links"),
    path("methodology/links/<int:link_id>/revoke/", portal.share_link_revoke_view, name="share_link_revoke"),
    path("methodology/<slug:key>/", portal.milestone_page, name="milestone_page"),
    path("shared/milestones/<str:token>/", portal.milestone_shared_page, name="milestone_shared"),
    path("companies/", companies.company_list, name="company_list"),
    path("companies/<external_id:external_id>/", companies.company_detail, name="company_detail"),
    path("companies/<external_id:external_id>/ctas/", ctas.cta_create, name="company_cta_create"),
    path("companies/<external_id:external_id>/events/", companies.company_event_list, name="company_events"),
    path("companies/<external_id:external_id>/journey/", companies.company_journey, name="company_journey"),
    path(
        "companies/<external_id:external_id>/plan/<int:task_id>/",
        companies.company_plan_task,
        name="company_plan_task",
    ),
]

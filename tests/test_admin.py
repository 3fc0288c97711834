"""Every registered model's changelist, add form and change form render for an admin, with data in them."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from tests.factories import AchievementFactory, CompanyFactory, EventFactory, MetricValueFactory


@pytest.fixture
def workspace(methodology, admin_user):
    call_command("seed_demo", "--companies", "6", "--days", "60", "--seed", "3", stdout=io.StringIO())
    call_command("run_daily", stdout=io.StringIO())  # progress rows, snapshots, a job run and its lock
    company = CompanyFactory()
    EventFactory(company=company)
    MetricValueFactory(company=company)
    from milestones.models import Milestone

    AchievementFactory(company=company, milestone=Milestone.objects.first())
    import uuid

    from accounts.models import Notification
    from core.models import OutboxMessage, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example/waypoint")
    OutboxMessage.objects.create(
        message_id=uuid.uuid4(),
        channel="webhook",
        kind="company.stage_changed",
        endpoint=endpoint,
        payload={},
    )
    Notification.objects.create(user=admin_user, title="Acme moved from Solution to Evaluation (6.00)")
    from accounts.models import Cover
    from ctas.models import CTA, CTAChange, CTATask
    from milestones.models import CTAType
    from tests.factories import UserFactory

    away, covering = UserFactory(username="away"), UserFactory(username="covering")
    Cover.objects.create(csm=away, covered_by=covering, starts_on="2026-03-01", ends_on="2026-03-05")
    cta = CTA.objects.create(
        company=company,
        cta_type=CTAType.objects.get(slug="ebr"),
        due_on="2026-03-10",
        created_on="2026-03-01",
    )
    CTATask.objects.create(cta=cta, order=1, title="Review the account")
    CTAChange.objects.create(cta=cta, field="status", to_value="open")
    from accounts.services import api_token_create

    api_token_create(user=admin_user, name="CRM sync")
    from axes.models import AccessAttempt, AccessFailureLog

    seen = {
        "username": "mallory",
        "ip_address": "203.0.113.5",
        "user_agent": "curl",
        "path_info": "/admin/login/",
    }
    AccessAttempt.objects.create(**seen, get_data="", post_data="username=mallory", failures_since_start=5)
    AccessFailureLog.objects.create(**seen, locked_out=True)
    from ingestion.models import PendingEvent, RejectedMessage
    from ingestion.services.write_keys import write_key_create

    write_key_create(name="Product backend", source="product")
    RejectedMessage.objects.create(
        source="product", code="no_event", reason="A track call needs an event name."
    )
    PendingEvent.objects.create(
        source="product", message_id="m-1", name="blog_viewed", occurred_at=timezone_now(), user_id="u-9"
    )
    from django.utils import timezone
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    crontab = CrontabSchedule.objects.create(minute="0", hour="3")
    IntervalSchedule.objects.create(every=30, period=IntervalSchedule.SECONDS)
    SolarSchedule.objects.create(event="sunrise", latitude=-23.5, longitude=-46.6)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(name="daily", task="waypoint.daily", crontab=crontab)
    from datetime import date

    from funnel.models import Release

    Release.objects.create(date=date(2026, 3, 1), name="Onboarding wizard", note="Guided first campaign")


MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_admin_pages_render(client, workspace, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), follow=True)
    assert changelist.status_code == 200  # health settings (one row) redirect to their form
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"no {opts.label} to open"
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk]))
    assert change.status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(change.wsgi_request):
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


@pytest.mark.django_db
def test_a_ratio_criterion_without_denominator_is_refused_in_admin(client, methodology, admin_user):
    from milestones.models import Criterion, Milestone

    client.force_login(admin_user)
    milestone = Milestone.objects.get(key="lead-scoring")
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(_inline_management(page.context["inline_admin_formsets"]))
    prefix = "criteria"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-order": "2",
            f"{prefix}-1-kind": "ratio",
            f"{prefix}-1-event_name": "deal_won",
            f"{prefix}-1-denominator_event_name": "",
            f"{prefix}-1-min_denominator": "1",
            f"{prefix}-1-comparator": "gte",
            f"{prefix}-1-threshold": "0.1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error, nothing saved
    assert "A ratio criterion needs a denominator event." in response.content.decode()
    assert Criterion.objects.filter(milestone=milestone).count() == 1


def _inline_management(formsets) -> dict:
    """The POST data of each inline formset as rendered (existing rows unchanged)."""
    data = {}
    for inline in formsets:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for index, form in enumerate(formset.forms):
            for name in form.fields:
                value = form[name].value()
                if isinstance(value, list | tuple):
                    value = [str(item) for item in value]
                elif value is None:
                    value = ""
                data[f"{formset.prefix}-{index}-{name}"] = value
    return data

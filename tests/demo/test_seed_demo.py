import hashlib
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from companies.models import Company, Contact, Event, MetricValue

pytestmark = pytest.mark.django_db

ARGS = ["--companies", "60", "--days", "365", "--end", "2026-06-30"]


def seed(*extra) -> str:
    out = io.StringIO()
    call_command("seed_demo", *ARGS, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def checksum() -> tuple[dict, str]:
    """Row counts and a digest of every generated row by natural keys (ids may differ between runs)."""
    counts = {
        "companies": Company.objects.count(),
        "contacts": Contact.objects.count(),
        "events": Event.objects.count(),
        "metrics": MetricValue.objects.count(),
    }
    digest = hashlib.sha256()
    for row in Company.objects.order_by("external_id").values_list(
        "external_id",
        "name",
        "segment",
        "plan",
        "mrr",
        "lifecycle",
        "customer_since",
        "churned_on",
        "csm__username",
    ):
        digest.update(repr(row).encode())
    for row in (
        Event.objects.order_by("source", "message_id")
        .values_list(
            "company__external_id",
            "type__name",
            "occurred_at",
            "message_id",
            "contact__external_id",
            "properties",
        )
        .iterator(chunk_size=5000)
    ):
        digest.update(repr(row).encode())
    for row in MetricValue.objects.order_by("company__external_id", "metric", "date").values_list(
        "company__external_id", "metric", "date", "value"
    ):
        digest.update(repr(row).encode())
    return counts, digest.hexdigest()


def test_the_same_seed_gives_the_same_workspace():
    seed("--seed", "7")
    first = checksum()
    seed("--seed", "7", "--replace")
    assert checksum() == first
    seed("--seed", "8", "--replace")
    assert checksum()[1] != first[1]


def test_a_workspace_with_companies_is_not_overwritten_by_accident():
    seed("--seed", "7")
    with pytest.raises(CommandError, match="already has 60 companies"):
        seed("--seed", "7")
    assert Company.objects.count() == 60


def test_the_workspace_looks_like_a_real_one():
    output = seed("--seed", "11")
    assert "Demo workspace: 60 companies" in output
    assert "'waypoint-demo'" in output
    lifecycles = set(Company.objects.values_list("lifecycle", flat=True))
    assert lifecycles == {"prospect", "customer", "churned"}
    assert Company.objects.filter(csm__isnull=True).count() == 0
    assert len(set(Company.objects.values_list("segment", flat=True))) == 3
    for company in Company.objects.exclude(lifecycle="prospect"):
        assert date(2025, 6, 30) <= company.customer_since <= date(2026, 6, 30)
    assert Event.objects.filter(occurred_at__date__gt=date(2026, 6, 30)).count() == 0
    for company in Company.objects.filter(lifecycle="churned"):
        assert not company.events.filter(occurred_at__date__gt=company.churned_on).exists()
    events_per_company = Event.objects.count() / 60
    assert 40 < events_per_company < 250
    assert {"lead_created", "session_started", "blog_viewed", "proposal_viewed"} <= set(
        Event.objects.values_list("type__name", flat=True).distinct()
    )
    assert User.objects.filter(username__in=["admin", "manager", "csm1"]).count() == 3
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("waypoint-demo")


def test_the_demos_last_days_arrive_live_and_reach_the_csms():
    """`make demo`'s seed: the history is scored quietly, then the last days' events arrive, and the daily
    run notifies the stage changes they bring, as it would for a live workspace."""
    from accounts.models import Notification
    from journey.models import StageChange

    out = seed("--live-days", "3")
    assert "events of the last 3 days arrive after the history" in out
    assert StageChange.objects.exists() and not StageChange.objects.filter(live=True).exists()
    call_command("run_daily", "--as-of", "2026-06-30", stdout=io.StringIO())
    live = StageChange.objects.filter(live=True)
    # One notification per live stage change (the CTAs the run opens notify their owners besides).
    stage_notifications = Notification.objects.exclude(link__startswith="/ctas/").exclude(link="/queue/")
    assert live.exists() and stage_notifications.count() == live.exclude(company__csm=None).count()
    assert min(live.values_list("at", flat=True)).date() >= date(2026, 6, 23)  # news: the last week only


def test_live_days_must_fit_in_the_history():
    with pytest.raises(CommandError, match="--live-days"):
        seed("--live-days", "365")

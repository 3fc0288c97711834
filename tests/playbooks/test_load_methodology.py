import hashlib
import io

import pytest
from django.core.management import call_command

from content.models import Resource
from journey.models import Stage
from milestones.models import Criterion, Milestone, Phase
from playbooks.models import TaskTemplate
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_methodology", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """Every methodology row's content, to compare installs."""
    rows = [
        *Stage.objects.order_by("key").values_list("key", "name", "order", "min_score"),
        *Phase.objects.order_by("key").values_list("key", "name", "order", "goal"),
        *Milestone.objects.order_by("key").values_list("key", "name", "phase__key", "order", "target_days"),
        *Criterion.objects.order_by("milestone__key", "order").values_list(
            "milestone__key", "order", "kind", "event_name", "metric", "threshold", "window_days"
        ),
        *TaskTemplate.objects.order_by("milestone__key", "order").values_list(
            "milestone__key", "order", "title"
        ),
        *Resource.objects.order_by("url").values_list("url", "title"),
        *Resource.stages.through.objects.order_by("resource__url", "stage__key").values_list(
            "resource__url", "stage__key"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_installs_four_phases_with_the_seed_checklist():
    load()
    assert list(Phase.objects.order_by("order").values_list("name", flat=True)) == [
        "Prove the Channel",
        "Scale the Channel",
        "Predictable Growth",
        "Optimize",
    ]
    phase_one = list(Milestone.objects.filter(phase__order=1).order_by("order").values_list("key", flat=True))
    assert phase_one == ["lead-generation", "email-marketing", "content-traffic", "lead-nurturing"]
    for phase in Phase.objects.exclude(order=1):
        assert 2 <= phase.milestones.count() <= 4
    checklist = list(
        Criterion.objects.filter(milestone__key="lead-generation")
        .order_by("order")
        .values_list("kind", "event_name", "metric", "comparator", "threshold", "window_days")
    )
    assert checklist == [
        ("event_count", "tracking_code_installed", "", "gte", 1.0, None),
        ("event_count", "landing_page_published", "", "gte", 1.0, None),
        ("metric", "", "landing_page_conversion_rate", "gte", 0.15, None),
        ("event_count", "lead_created", "", "gte", 50.0, None),
        ("event_count", "lead_qualified", "", "gte", 3.0, None),
    ]
    for milestone in Milestone.objects.all():
        assert milestone.criteria.exists(), milestone.key
        assert 3 <= milestone.tasks.count() <= 6, milestone.key
    assert list(Stage.objects.order_by("order").values_list("key", "min_score")) == [
        ("target", 0),
        ("education", 200),
        ("solution", 400),
        ("evaluation", 600),
        ("ready_to_buy", 800),
    ]
    assert Resource.objects.filter(stages__key="ready_to_buy").exists()
    assert Resource.objects.filter(milestones__key="lead-generation").count() >= 3


def test_running_twice_changes_nothing():
    load()
    first = fingerprint()
    assert load() == "Methodology already installed; nothing to do.\n"
    assert fingerprint() == first


def test_admin_edits_survive_a_rerun_and_reset_restores_the_defaults():
    load()
    original = fingerprint()
    milestone = Milestone.objects.get(key="email-marketing")
    milestone.name = "Email that converts"
    milestone.save()
    Criterion.objects.filter(milestone=milestone, metric="email_open_rate").update(threshold=0.35)
    Stage.objects.filter(key="education").update(min_score=250)
    load()
    milestone.refresh_from_db()
    assert milestone.name == "Email that converts"
    assert Criterion.objects.get(milestone=milestone, metric="email_open_rate").threshold == 0.35
    assert Stage.objects.get(key="education").min_score == 250
    load("--reset")
    assert fingerprint() == original


def test_reset_puts_reordered_milestones_back_and_keeps_what_admins_added():
    load()
    original = fingerprint()
    phase = Phase.objects.get(key="prove-the-channel")
    # An admin swapped the first two milestones (through a parking order, as admin would) and added one.
    Milestone.objects.filter(key="lead-generation").update(order=99)
    Milestone.objects.filter(key="email-marketing").update(order=1)
    Milestone.objects.filter(key="lead-generation").update(order=2)
    Milestone.objects.filter(key="content-traffic").update(order=5)
    extra = MilestoneFactory(phase=phase, key="webinars", name="Webinars", order=3)
    load("--reset")
    extra.refresh_from_db()
    assert extra.phase == phase and extra.order > 4
    extra.delete()
    assert fingerprint() == original


def test_a_deleted_default_milestone_comes_back():
    load()
    Milestone.objects.get(key="lead-nurturing").delete()
    assert "milestones created: 1" in load()
    assert Milestone.objects.get(key="lead-nurturing").tasks.count() == 4

"""The success methodology (DESIGN §4): phases → milestones → checklists, the CTA rules that say when a
customer is stuck, and the health formula's settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from content.models import Resource
from core.conditions import Operator, PropertyCondition
from milestones import rules
from milestones.labels import LabelParts, criterion_label


class Phase(models.Model):
    """A stage of the customer's maturity; phases take months, and each says what it takes to start."""

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(unique=True)
    goal = models.TextField(blank=True)
    typical_duration = models.CharField(max_length=120, blank=True, help_text="e.g. '3–6 months'")
    start_requirements = models.TextField("what it takes to start", blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [models.CheckConstraint(condition=Q(order__gte=1), name="phase_order_positive")]

    def __str__(self) -> str:
        return self.name


class MilestoneQuerySet(models.QuerySet):
    def in_sequence(self) -> MilestoneQuerySet:
        """The milestone sequence: phase order, then milestone order (DESIGN §4.1)."""
        return self.select_related("phase").order_by("phase__order", "order")


class Milestone(models.Model):
    """A success milestone: a moment the customer gets real value. Achieved when its checklist holds."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="milestones")
    key = models.SlugField(max_length=80, unique=True, help_text="Slug of the name, used by the API.")
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(help_text="Position within the phase.")
    description = models.TextField(blank=True, help_text="The value the customer gets.")
    target_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Expected days from the previous milestone."
    )
    resources = models.ManyToManyField(
        Resource, blank=True, related_name="milestones", help_text="Training content for this milestone."
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["phase__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "order"],
                name="milestone_order_unique_in_phase",
                violation_error_message="Another milestone of this phase has this order.",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="milestone_order_positive"),
            models.CheckConstraint(
                condition=Q(target_days__isnull=True) | Q(target_days__gte=1),
                name="milestone_target_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(PropertyCondition):
    """One checklist line: an event count, a metric on the day, or a ratio of two counts (DESIGN §4.2)."""

    class Kind(models.TextChoices):
        EVENT_COUNT = "event_count", "Event count"
        METRIC = "metric", "Metric"
        RATIO = "ratio", "Ratio of two event counts"

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=1)
    subject = models.CharField(
        max_length=120,
        blank=True,
        help_text="What is counted or measured, in the customer's words, e.g. 'Qualified leads'. The "
        "comparator and threshold are added to it on the checklist. Blank: the event's or metric's usual name.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.EVENT_COUNT)
    event_name = models.CharField(
        max_length=200, blank=True, help_text="Event counted (event count), or the numerator (ratio)."
    )
    denominator_event_name = models.CharField(
        max_length=200, blank=True, help_text="Ratio only: the denominator."
    )
    min_denominator = models.PositiveIntegerField(
        default=1, help_text="Ratio only: fewer denominator events than this and the criterion does not hold."
    )
    metric = models.CharField(max_length=100, blank=True, help_text="Metric only: the metric's name.")
    comparator = models.CharField(
        max_length=3,
        choices=[(value, label) for value, label in Operator.choices if value != Operator.NE],
        default=Operator.GTE,
    )
    threshold = models.FloatField()
    window_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Event count and ratio: count only the trailing N days (blank: all time).",
    )

    class Meta:
        ordering = ["milestone", "order", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="metric") | Q(threshold__gte=0),
                name="criterion_count_threshold_not_negative",
                violation_error_message="Counts and ratios cannot have a negative threshold.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["event_count", "ratio"]) | ~Q(event_name=""),
                name="criterion_counts_an_event",
                violation_error_message="Event count and ratio criteria need an event name.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ratio") | (~Q(denominator_event_name="") & Q(min_denominator__gte=1)),
                name="criterion_ratio_has_denominator",
                violation_error_message="A ratio criterion needs a denominator event.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="metric") | ~Q(metric=""),
                name="criterion_metric_named",
                violation_error_message="A metric criterion needs a metric name.",
            ),
            models.CheckConstraint(
                condition=Q(window_days__isnull=True) | Q(window_days__gte=1),
                name="criterion_window_positive",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="criterion_order_positive"),
        ]

    def __str__(self) -> str:
        return self.display_label

    def clean(self) -> None:
        errors = self.clean_property_condition()
        if self.kind in (self.Kind.EVENT_COUNT, self.Kind.RATIO) and not self.event_name:
            errors["event_name"] = "Name the event to count."
        if self.kind == self.Kind.RATIO:
            if not self.denominator_event_name:
                errors["denominator_event_name"] = "A ratio criterion needs a denominator event."
            if not self.min_denominator:
                errors["min_denominator"] = "A ratio needs at least one denominator event."
        if self.kind == self.Kind.METRIC:
            if not self.metric:
                errors["metric"] = "A metric criterion needs a metric name."
            if self.window_days:
                errors["window_days"] = "A metric is read on the day; a window does not apply."
            if self.property_key:
                errors["property_key"] = "Property conditions apply to events, not metrics."
        if self.kind != self.Kind.METRIC and self.threshold is not None and self.threshold < 0:
            errors["threshold"] = "Counts and ratios cannot have a negative threshold."
        if errors:
            raise ValidationError(errors)

    def as_check(self) -> rules.Check:
        """The criterion as the assessment rules read it (milestones/rules.py)."""
        return rules.Check(
            id=self.pk,
            kind=self.kind,
            comparator=self.comparator,
            threshold=self.threshold,
            window_days=self.window_days,
            min_denominator=self.min_denominator,
        )

    @property
    def display_label(self) -> str:
        """The checklist line in the customer's words, derived from the criterion (milestones/labels.py)."""
        return criterion_label(
            LabelParts(
                kind=self.kind,
                event_name=self.event_name,
                denominator_event_name=self.denominator_event_name,
                metric=self.metric,
                comparator=self.comparator,
                threshold=self.threshold,
                window_days=self.window_days,
                min_denominator=self.min_denominator,
                subject=self.subject,
                condition=self.property_condition_label() if self.property_key else "",
            )
        )

    @property
    def rule_text(self) -> str:
        """The rule in the checklist's own terms, e.g. "blog_post_published ≥ 4 in 60 days"."""
        symbol = Operator(self.comparator).label
        threshold = f"{self.threshold:g}"
        window = f" in {self.window_days} days" if self.window_days else ""
        condition = f" where {self.property_condition_label()}" if self.property_key else ""
        if self.kind == self.Kind.METRIC:
            return f"{self.metric} {symbol} {threshold}"
        if self.kind == self.Kind.RATIO:
            return (
                f"{self.event_name} / {self.denominator_event_name}{condition} {symbol} {threshold}{window}"
            )
        return f"{self.event_name}{condition} {symbol} {threshold}{window}"


class CTAType(models.Model):
    """What a CTA asks the CSM to do: an executive business review, a quarterly review, a check-in, a risk
    review… Admins edit the list; the API names types by slug."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        verbose_name = "CTA type"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_cta_type() -> int:
    """EBR, the seed's type, for rules made without one (the type admins pick first in the form)."""
    cta_type, _ = CTAType.objects.get_or_create(slug="ebr", defaults={"name": "EBR"})
    return cta_type.pk


class CTARule(models.Model):
    """When a CTA is due for a customer (DESIGN §4.3–4.4).

    `stuck`: its days at position exceed `min_days_at_position` (stuck from day min + 1: with 30, day 30 is
    not stuck and day 31 is) and its current milestone (the one it works on) is the rule's milestone, or any
    milestone when the rule names none. The active stuck rules are also what the assessment calls stuck.
    `recurring`: every `every_days` days for each customer (at the rule's milestone, or any), counted from
    the last CTA of the type."""

    class Trigger(models.TextChoices):
        STUCK = "stuck", "Stuck at a milestone"
        RECURRING = "recurring", "Recurring"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        NORMAL = 2, "Normal"
        LOW = 3, "Low"

    name = models.CharField(max_length=200, unique=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.STUCK)
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cta_rules",
        help_text="The current milestone (the one the company works on); blank: any milestone.",
    )
    min_days_at_position = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Stuck rules: stuck after more than this many days at the position."
    )
    every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Recurring rules: a CTA every this many days (e.g. 91: quarterly)."
    )
    cta_type = models.ForeignKey(
        CTAType,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name="CTA type",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_in_days = models.PositiveSmallIntegerField(
        default=14, help_text="The CTA is due this many days after it opens."
    )
    cooldown_days = models.PositiveSmallIntegerField(
        default=30, help_text="After a CTA of this type closes, none is opened again for this many days."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "CTA rule"
        ordering = ["priority", "min_days_at_position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(trigger="stuck", min_days_at_position__gte=1, every_days__isnull=True)
                    | Q(trigger="recurring", every_days__gte=1, min_days_at_position__isnull=True)
                ),
                name="ctarule_trigger_fields",
                violation_error_message=(
                    "A stuck rule needs its minimum days at position (at least 1) and no interval; a "
                    "recurring rule needs its interval in days (at least 1) and no minimum days."
                ),
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=3), name="ctarule_priority_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A rule made without a type (an inline row, older code) is an EBR rule, the seed's type. Set here,
        # not as the field's default: a default would be read from the database for every unsaved rule.
        if self.cta_type_id is None:
            self.cta_type_id = default_cta_type()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.trigger == self.Trigger.STUCK:
            if not self.min_days_at_position:
                errors["min_days_at_position"] = "A stuck rule needs at least one day at position."
            if self.every_days is not None:
                errors["every_days"] = "Only recurring rules repeat; leave it blank."
        elif self.trigger == self.Trigger.RECURRING:
            if not self.every_days:
                errors["every_days"] = "A recurring rule needs its interval in days."
            if self.min_days_at_position is not None:
                errors["min_days_at_position"] = "Only stuck rules have a minimum; leave it blank."
        if errors:
            raise ValidationError(errors)


class HealthSettings(models.Model):
    """The health formula (DESIGN §4.6), one row: activity_weight × share of active days in the trailing
    window + key_action_weight × share of the key actions used in it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    window_days = models.PositiveSmallIntegerField(default=30)
    activity_weight = models.PositiveSmallIntegerField(default=60)
    key_action_weight = models.PositiveSmallIntegerField(default=40)
    key_actions = models.JSONField(
        default=list, blank=True, help_text="Event names that count as key actions."
    )

    class Meta:
        verbose_name = verbose_name_plural = "health settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="health_settings_single_row"),
            models.CheckConstraint(
                condition=Q(activity_weight=100 - F("key_action_weight")),
                name="health_weights_add_up_to_100",
                violation_error_message="The two weights add up to 100.",
            ),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="health_window_positive"),
        ]

    def __str__(self) -> str:
        return "Health settings"

    def clean(self) -> None:
        errors = {}
        if self.activity_weight + self.key_action_weight != 100:
            errors["key_action_weight"] = "The two weights add up to 100, so health stays within 0–100."
        names = self.key_actions if isinstance(self.key_actions, list) else None
        if names is None or not all(isinstance(name, str) and name.strip() for name in names):
            errors["key_actions"] = "A list of event names."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> HealthSettings:
        settings, _ = cls.objects.get_or_create(id=1)
        return settings

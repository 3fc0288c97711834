"""The buyer-journey score (DESIGN §3): its rules, as admins edit them, and each company's scored state."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

from companies.models import Company
from content.models import Resource
from core.conditions import PropertyCondition
from journey.scoring.domain import LOOKBACK_DAYS, MAX_SCORE


class Stage(models.Model):
    """A buyer-journey stage (DESIGN §3.1). A score belongs to the stage with the highest lower bound at or
    below it: bounds are inclusive, so 2.00 is Education. Scores are integer hundredths (200 = 2.00)."""

    key = models.SlugField(
        max_length=32, unique=True, help_text="Stable slug used by the API, e.g. education."
    )
    name = models.CharField(max_length=64)
    order = models.PositiveSmallIntegerField(unique=True)
    min_score = models.PositiveSmallIntegerField(
        unique=True, help_text="Lower bound, inclusive, in hundredths of a point (200 means 2.00)."
    )
    description = models.TextField(blank=True)
    resources = models.ManyToManyField(
        Resource, blank=True, related_name="stages", help_text="Content that helps a company in this stage."
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=MAX_SCORE),
                name="stage_min_score_0_to_10",
                violation_error_message="A stage's lower bound is between 0.00 and 10.00.",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="stage_order_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ScoringRule(PropertyCondition):
    """Points for an event (optionally only when a property matches), up to a ceiling."""

    class Kind(models.TextChoices):
        ENGAGEMENT = "engagement", "Engagement (content, visits)"
        HAND_RAISE = "hand_raise", "Hand-raise (demo, trial, requests)"
        SALES = "sales", "Sales signal"
        NEGATIVE = "negative", "Negative signal"

    event_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ENGAGEMENT)
    points = models.SmallIntegerField(help_text="In hundredths of a point: 25 is +0.25, -100 is −1.00.")
    ceiling = models.PositiveSmallIntegerField(
        default=MAX_SCORE,
        help_text="In hundredths: the highest score this event can lift a company to (399 keeps it in Education).",
    )
    decay_factor = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Negative signals: decay steps of the next days are multiplied by this percentage (200 = ×2).",
    )
    decay_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="…for this many days.")
    order = models.PositiveSmallIntegerField(
        default=100, help_text="Among rules of one event, the first match wins."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["event_name", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ceiling__lte=MAX_SCORE), name="rule_ceiling_at_most_10"),
            models.CheckConstraint(
                condition=Q(points__gte=-MAX_SCORE, points__lte=MAX_SCORE), name="rule_points_within_10"
            ),
            models.CheckConstraint(
                condition=Q(kind="negative") | Q(points__gte=0),
                name="rule_only_negative_signals_subtract",
                violation_error_message="Only negative signals have negative points.",
            ),
            models.CheckConstraint(
                condition=Q(decay_factor__isnull=True) | (Q(decay_factor__gte=100) & Q(decay_days__gte=1)),
                name="rule_decay_boost_complete",
                violation_error_message="A decay factor (100 or more) needs a number of days.",
            ),
        ]

    def __str__(self) -> str:
        condition = f" where {self.property_condition_label()}" if self.property_key else ""
        return f"{self.event_name}{condition}: {self.points / 100:+.2f}"

    def clean(self) -> None:
        errors = self.clean_property_condition()
        if self.kind != self.Kind.NEGATIVE and self.points < 0:
            errors["points"] = "Only negative signals have negative points."
        if self.kind == self.Kind.NEGATIVE and self.points > 0:
            errors["points"] = "A negative signal lowers the score: use a negative number of points."
        if (self.decay_factor is None) != (self.decay_days is None):
            errors["decay_days"] = "Set both the decay factor and its number of days, or neither."
        if errors:
            raise ValidationError(errors)


class StageTrigger(PropertyCondition):
    """When a condition becomes true at an event, the score is raised to at least a floor: a stage's lower
    bound (DESIGN §3.3) or a fixed score (the proposal's auto-score 9.00)."""

    class Counting(models.TextChoices):
        EVENTS = "events", "Events"
        CONTACTS = "contacts", "Distinct contacts"
        SESSIONS = "sessions", "Distinct sessions"

    name = models.CharField(max_length=200, unique=True)
    event_names = models.JSONField(
        default=list, blank=True, help_text="The events it looks at (any of them); empty: any event."
    )
    min_count = models.PositiveSmallIntegerField(default=1, help_text="At least this many…")
    counting = models.CharField(max_length=8, choices=Counting.choices, default=Counting.EVENTS)
    window_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=f"…within this many days (at most {LOOKBACK_DAYS}); blank with a count of 1.",
    )
    same_session = models.BooleanField(
        default=False, help_text="…all in the session of the triggering event."
    )
    stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="triggers",
        help_text="Raise to this stage…",
    )
    floor = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="…or to at least this score, in hundredths (900 is 9.00)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(stage__isnull=False) & Q(floor__isnull=True))
                | (Q(stage__isnull=True) & Q(floor__isnull=False)),
                name="trigger_one_effect",
                violation_error_message="A trigger raises to a stage or to a fixed score, not both.",
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=True) | Q(floor__lte=MAX_SCORE), name="trigger_floor_at_most_10"
            ),
            models.CheckConstraint(condition=Q(min_count__gte=1), name="trigger_count_positive"),
            models.CheckConstraint(
                condition=Q(window_days__isnull=True) | Q(window_days__gte=1, window_days__lte=LOOKBACK_DAYS),
                name="trigger_window_within_lookback",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.clean_property_condition()
        names = self.event_names if isinstance(self.event_names, list) else None
        if names is None or not all(isinstance(name, str) and name.strip() for name in names):
            errors["event_names"] = "A list of event names."
        if (self.stage_id is None) == (self.floor is None):
            errors["floor"] = "Choose a stage to raise to, or a fixed score, not both."
        needs_window = self.min_count > 1 and not self.same_session
        if needs_window and not self.window_days:
            errors["window_days"] = f"Counting several events needs a window of 1 to {LOOKBACK_DAYS} days."
        if self.window_days and self.window_days > LOOKBACK_DAYS:
            errors["window_days"] = f"At most {LOOKBACK_DAYS} days."
        if errors:
            raise ValidationError(errors)


class ScoringSettings(models.Model):
    """Decay and velocity bonuses (DESIGN §3.4–3.5), one row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    decay_points = models.PositiveSmallIntegerField(default=100, help_text="Hundredths lost per decay step.")
    decay_every_days = models.PositiveSmallIntegerField(default=7)
    session_bonus = models.PositiveSmallIntegerField(default=20, help_text="Percent, with enough sessions…")
    session_bonus_sessions = models.PositiveSmallIntegerField(default=2)
    session_bonus_days = models.PositiveSmallIntegerField(default=7, help_text="…in this many trailing days.")
    duration_bonus = models.PositiveSmallIntegerField(
        default=15, help_text="Percent, when sessions of the trailing period last longer than those before."
    )
    duration_bonus_days = models.PositiveSmallIntegerField(default=30)
    duration_bonus_sessions = models.PositiveSmallIntegerField(
        default=2, help_text="Sessions needed in each period."
    )
    content_bonus = models.PositiveSmallIntegerField(
        default=25, help_text="Percent, when solution content follows problem content quickly…"
    )
    content_bonus_within_hours = models.PositiveSmallIntegerField(default=72)
    content_bonus_lasts_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        verbose_name = verbose_name_plural = "scoring settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="scoring_settings_single_row"),
            models.CheckConstraint(
                condition=Q(decay_every_days__gte=1) & Q(session_bonus_days__gte=1),
                name="scoring_periods_positive",
            ),
            models.CheckConstraint(
                condition=Q(duration_bonus_days__lte=LOOKBACK_DAYS // 2)
                & Q(session_bonus_days__lte=LOOKBACK_DAYS)
                # The bonus looks back its duration, then its window for the problem content before.
                & Q(content_bonus_within_hours__lte=(LOOKBACK_DAYS - F("content_bonus_lasts_days")) * 24),
                name="scoring_windows_within_lookback",
                violation_error_message=f"Bonus windows must fit in {LOOKBACK_DAYS} days of history.",
            ),
        ]

    def __str__(self) -> str:
        return "Scoring settings"

    @classmethod
    def current(cls) -> ScoringSettings:
        settings, _ = cls.objects.get_or_create(id=1)
        return settings


class JourneyState(models.Model):
    """A company's score as of `scored_through`, kept equal to a replay of its events. Holds what the next
    events and the daily decay need to continue without reading history."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="journey"
    )
    score = models.PositiveSmallIntegerField(default=0, help_text="Hundredths, 0–1000.")
    stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    scored_through = models.DateTimeField(help_text="Events and decay are applied up to here.")
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_event_key = models.CharField(
        max_length=200, blank=True, help_text="source/message id of the last event."
    )
    last_engagement_at = models.DateTimeField(null=True, blank=True)
    next_decay_at = models.DateTimeField(null=True, blank=True)
    decay_boosts = models.JSONField(
        default=list, blank=True, help_text="Active negative-signal windows: [[until (ISO), percent], …]."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=MAX_SCORE), name="journey_score_at_most_10")
        ]
        indexes = [
            # The daily decay pass: companies whose next decay step is due.
            models.Index(
                fields=["next_decay_at"], name="journey_decay_due", condition=Q(next_decay_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.score / 100:.2f}"


class StageChange(models.Model):
    """A company moving between buyer-journey stages, and why."""

    class Cause(models.TextChoices):
        EVENT = "event", "Event"
        DECAY = "decay", "Decay"

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    score = models.PositiveSmallIntegerField()
    cause = models.CharField(max_length=8, choices=Cause.choices)
    event_name = models.CharField(max_length=200, blank=True)
    live = models.BooleanField(
        default=True, help_text="Notified (found by a live run), not history found by a replay."
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-at"]
        indexes = [
            # A company's history (explanation, page), and replacing it from a day on after a late event.
            models.Index(fields=["company", "at"], name="stagechange_company_at"),
            # Buyer funnel: movements in the last 7/30 days.
            models.Index(fields=["at"], name="stagechange_at"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.from_stage} → {self.to_stage} at {self.at:%Y-%m-%d %H:%M}"


class StageChangeNotice(models.Model):
    """Every stage change Waypoint has found, once, by (company, from, to, moment), and whether it was
    notified. Replays and rebuilds rewrite the StageChange history; this ledger survives them, so a change
    found again is never notified twice, and its webhooks keep their ids (derived from this key)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    from_stage = models.CharField(max_length=32, help_text="Stage key.")
    to_stage = models.CharField(max_length=32, help_text="Stage key.")
    at = models.DateTimeField()
    notified = models.BooleanField(help_text="Notifications were written for it (by a live run).")
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            # Leads with company_id: also serves "the notices of these companies since a moment".
            models.UniqueConstraint(fields=["company", "at", "from_stage", "to_stage"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.from_stage} → {self.to_stage} at {self.at:%Y-%m-%d %H:%M}"

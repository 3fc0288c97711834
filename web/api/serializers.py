"""What the journey API reads and writes. Input serializers (…In) check what a client sends; output
serializers say what it gets back. Companies and contacts are named by their external ids."""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from accounts.models import User
from accounts.roles import Role
from companies.ids import external_id_problem
from companies.models import Company, Contact, Event, MetricValue
from companies.selectors import company_ids, contact_companies
from core.api import MAX_ITEMS, batch_items, items_invalid, items_validate
from core.api_schema import NO_NUL, NOT_BLANK, SPACES
from core.days import earliest_day, earliest_moment, today, too_early_message, validate_day_kept
from ctas.selectors import company_open_ctas
from ingestion import segment
from ingestion.services.api_events import EventItem
from web.api.cta_serializers import CTASerializer

# --- Shared fields -----------------------------------------------------------------------------------------


class TextField(serializers.CharField):
    """A JSON string, as the schema says: DRF's CharField also takes numbers (5 becomes "5"), and checks the
    length once the surrounding spaces are trimmed, where the schema's maxLength is of the text sent."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class FloatInField(serializers.FloatField):
    """A JSON number, as the schema says: DRF's FloatField also parses strings ("1.5") and booleans."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": NO_NUL})
class OptionalSlugField(serializers.SlugRelatedField):
    """A related object named by a slug (a string); null, or an empty string (DRF reads it as null), for
    none. A NUL character is refused before the lookup: PostgreSQL cannot compare one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.", code="null_characters")
        return super().to_internal_value(data)


# A plain decimal in ASCII digits: Decimal() also reads "1e3", "1_0", " 5", ".5" or "١".
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MONEY_MAX = 9_999_999_999.99


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number", "minimum": 0, "maximum": _MONEY_MAX},
            {"type": "string", "pattern": r"^0*[0-9]{1,10}(?:\.[0-9]{1,2})?$"},
        ]
    }
)
class MoneyField(serializers.DecimalField):
    """An amount from 0 to 9,999,999,999.99: a string of digits with at most two decimals ("1250.50"), taken
    as written, or a JSON number (what the API answers), rounded to the cent since a binary float cannot say
    0.1 exactly. Other strings ("1e3", " 5", "+5", ".5") are refused, not guessed at."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not _DECIMAL_TEXT.fullmatch(data):
                self.fail("invalid")
            if data.startswith("-"):  # "-0" too: the schema says digits
                self.fail("min_value", min_value=0)
        elif isinstance(data, int | float) and not isinstance(data, bool):
            if not math.isfinite(data):
                self.fail("invalid")
            if data > _MONEY_MAX:
                self.fail("max_digits", max_digits=self.max_digits)
            if data < 0:
                self.fail("min_value", min_value=0)
            data = Decimal(repr(data)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        else:
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Companies ---------------------------------------------------------------------------------------------


class CompanySerializer(serializers.ModelSerializer):
    csm = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="The CSM's username."
    )
    mrr = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False, read_only=True)
    score = serializers.SerializerMethodField(
        help_text="Buyer-journey score, 0.00–10.00 (null: never scored)."
    )
    stage = serializers.SerializerMethodField(help_text="Buyer-journey stage slug, e.g. evaluation.")

    class Meta:
        model = Company
        fields = [
            "external_id",
            "name",
            "domain",
            "lifecycle",
            "customer_since",
            "churned_on",
            "csm",
            "segment",
            "plan",
            "mrr",
            "score",
            "stage",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_score(self, company: Company) -> float | None:
        journey = getattr(company, "journey", None)
        return journey.score / 100 if journey is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_stage(self, company: Company) -> str | None:
        journey = getattr(company, "journey", None)
        return journey.stage.key if journey is not None and journey.stage is not None else None


# companies/ids.py's rule for what is left once the surrounding spaces are trimmed (as at every way in):
# 1 to 255 characters, no '/' or control character, not '.' or '..'.
_ID_CHAR = r"[^/\x00-\x1f\x7f]"
_ID_EDGE = rf"[^/\x00-\x1f\x7f{SPACES}]"
_ID_PATTERN = rf"^[{SPACES}]*(?!\.\.?[{SPACES}]*$){_ID_EDGE}(?:{_ID_CHAR}*{_ID_EDGE})?[{SPACES}]*$"


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 255, "pattern": _ID_PATTERN})
class ExternalIdField(TextField):
    """A company's external id; spaces around it are trimmed."""


class CompanyInSerializer(serializers.Serializer):
    """A company as a client sends it. Context: `request`, and `company` when updating one."""

    external_id = ExternalIdField(
        max_length=255, help_text="Your id for the company; no '/'. Cannot change once created."
    )
    name = TextField(max_length=255)
    domain = TextField(max_length=255, required=False, allow_blank=True)
    lifecycle = serializers.ChoiceField(choices=Company.Lifecycle.choices, required=False)
    customer_since = serializers.DateField(
        required=False, allow_null=True, help_text="Needed for a customer."
    )
    churned_on = serializers.DateField(
        required=False, allow_null=True, help_text="Needed for a churned company."
    )
    csm = OptionalSlugField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The CSM's username (null or empty: none). Only managers and admins may change it.",
    )
    segment = TextField(max_length=64, required=False, allow_blank=True)
    plan = TextField(max_length=64, required=False, allow_blank=True)
    mrr = MoneyField(required=False, help_text="Monthly recurring revenue.")

    def validate_external_id(self, value: str) -> str:
        company = self.context.get("company")
        if company is not None and value != company.external_id:
            raise serializers.ValidationError(
                "The external id cannot change: other systems know the company by it."
            )
        if company is None and (problem := external_id_problem(value)):
            raise serializers.ValidationError(problem)
        return value

    def validate_csm(self, csm: User | None) -> User | None:
        company = self.context.get("company")
        if self.context["request"].user.role == Role.CSM and csm != (company.csm if company else None):
            raise serializers.ValidationError("Only managers and admins assign companies to CSMs.")
        if csm is not None and csm.role is None:
            raise serializers.ValidationError(f"{csm.username} has no Waypoint role.")
        return csm


class CompanyCreateSerializer(CompanyInSerializer):
    """A new company. A customer needs `customer_since`, a churned company `churned_on` (on or after
    `customer_since`); a prospect (the default) neither."""

    # Patterns, not one-value enums, which drf-spectacular's enum hook would turn into components.
    schema_any_of = [
        {"properties": {"lifecycle": {"pattern": "^prospect$"}}},
        {
            "required": ["lifecycle", "customer_since"],
            "properties": {"lifecycle": {"pattern": "^customer$"}, "customer_since": {"type": "string"}},
        },
        {
            "required": ["lifecycle", "churned_on"],
            "properties": {"lifecycle": {"pattern": "^churned$"}, "churned_on": {"type": "string"}},
        },
    ]


# --- Contacts ----------------------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    # Text, not an email field: empty when the contact is known by external id only, which format: email
    # would not allow.
    email = serializers.CharField(read_only=True)
    company = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, allow_null=True, help_text="The company's external id."
    )

    class Meta:
        model = Contact
        fields = ["id", "external_id", "email", "name", "title", "company", "created_at"]
        read_only_fields = fields


class ContactInSerializer(serializers.Serializer):
    """A contact as a client sends it: an external id, an email address, or both. Context: `request`, and
    `contact` when updating one."""

    # An update may blank one of the two, not both.
    schema_any_of = [
        {"not": {"required": ["external_id"]}},
        {"properties": {"external_id": {"pattern": NOT_BLANK}}},
        {"not": {"required": ["email"]}},
        {"properties": {"email": {"minLength": 1}}},
    ]

    external_id = TextField(max_length=255, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    name = TextField(max_length=255, required=False, allow_blank=True)
    title = TextField(max_length=255, required=False, allow_blank=True)
    company = OptionalSlugField(
        slug_field="external_id",
        queryset=Company.objects.none(),
        required=False,
        allow_null=True,
        help_text="The company's external id (null or empty: none); CSMs must name one of theirs.",
        error_messages={"does_not_exist": "No company with external id {value}."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["company"].queryset = Company.objects.visible_to(request.user)

    def validate(self, attrs: dict) -> dict:
        # A CSM's contact needs one of their companies after the write, or they could not see it.
        contact = self.context.get("contact")
        company = attrs.get("company", contact.company if contact else None)
        if company is None and self.context["request"].user.role == Role.CSM:
            raise serializers.ValidationError({"company": "Name one of your companies."})
        return attrs


class ContactCreateSerializer(ContactInSerializer):
    """A new contact: an external id, an email address, or both."""

    schema_any_of = [
        {"required": ["external_id"], "properties": {"external_id": {"pattern": NOT_BLANK}}},
        {"required": ["email"], "properties": {"email": {"minLength": 1}}},
    ]


# --- Events ------------------------------------------------------------------------------------------------


class EventInSerializer(serializers.Serializer):
    message_id = TextField(
        max_length=segment.MAX_MESSAGE_ID,
        required=False,
        help_text="Makes the call idempotent: an event is stored once per message id. Default: a new UUID.",
    )
    company = TextField(max_length=255, help_text="The company's external id.")
    contact = TextField(
        max_length=255,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The contact's external id at the company; an unknown one is created there. One of another "
        "company is refused.",
    )
    event = TextField(max_length=segment.MAX_NAME, help_text="The event name, e.g. blog_viewed.")
    properties = serializers.DictField(required=False, help_text="A JSON object, up to 32 KB.")
    timestamp = serializers.DateTimeField(
        required=False,
        default_timezone=UTC,
        help_text="When it happened, ISO 8601 (no offset: UTC). Default: now. At most 5 minutes ahead.",
    )

    def validate_properties(self, value: dict) -> dict:
        try:
            value = segment.properties_clean(value)
        except segment.Refused as rejected:
            raise serializers.ValidationError(rejected.message) from None
        if len(json.dumps(value, ensure_ascii=False).encode()) > segment.MAX_MESSAGE:
            raise serializers.ValidationError(f"Properties are over {segment.MAX_MESSAGE // 1024} KB.")
        return value

    def validate_timestamp(self, value):
        if value > timezone.now() + segment.FUTURE_TOLERANCE:
            raise serializers.ValidationError("The timestamp is more than 5 minutes in the future.")
        if value < earliest_moment():
            raise serializers.ValidationError(too_early_message())
        return value


class EventBatchInSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=EventInSerializer(), min_length=1, max_length=MAX_ITEMS, help_text="1 to 2,500 events."
    )


def events_in(data, *, user) -> tuple[list[EventItem], int]:
    """The events of a body (one event or {"events": [...]}) ready to store, and how many there were.
    Strict: any invalid event raises a 400 listing every invalid one by index; none is stored."""
    items, batch = batch_items(data, "events")
    valid, errors = items_validate(EventInSerializer(), items)
    ids = _company_ids(valid, errors, user=user)
    _contacts_check(valid, errors, ids)
    if errors:
        raise items_invalid("events", errors, total=len(items), batch=batch)
    now = timezone.now()
    return [
        EventItem(
            company_id=ids[item["company"]],
            name=item["event"],
            occurred_at=item.get("timestamp") or now,
            message_id=item.get("message_id") or str(uuid.uuid4()),
            contact=item.get("contact") or "",
            properties=item.get("properties") or {},
        )
        for item in valid.values()
    ], len(items)


def _company_ids(valid: dict[int, dict], errors: dict, *, user) -> dict[str, int]:
    """The ids of the companies the valid items name (one query); an item naming a company the user cannot
    see gets an error, as if the company did not exist."""
    ids = company_ids(user=user, external_ids=[item["company"] for item in valid.values()])
    for index, item in valid.items():
        if item["company"] not in ids:
            message = f"No company with external id {item['company']}."
            errors[index] = {"company": [ErrorDetail(message, code="not_found")]}
    return ids


def _contacts_check(valid: dict[int, dict], errors: dict, ids: dict[str, int]) -> None:
    """A contact named on an event must be one of the event's company (or a new one): contacts belong to one
    company, and one company's events cannot name another's people."""
    owners = contact_companies(
        external_ids=[item["contact"] for item in valid.values() if item.get("contact")]
    )
    for index, item in valid.items():
        owner = owners.get(item.get("contact") or "")
        if index not in errors and owner is not None and owner != ids.get(item["company"]):
            message = (
                f"{item['contact']} is not a contact of {item['company']}: a contact belongs to one company."
            )
            errors[index] = {"contact": [ErrorDetail(message, code="invalid")]}


class EventSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.external_id", help_text="The company's external id.")
    contact = serializers.CharField(
        source="contact.external_id", allow_null=True, help_text="The contact's external id."
    )
    event = serializers.CharField(source="type.name")
    timestamp = serializers.DateTimeField(source="occurred_at")

    class Meta:
        model = Event
        fields = [
            "id",
            "message_id",
            "company",
            "contact",
            "event",
            "properties",
            "timestamp",
            "received_at",
            "source",
        ]
        read_only_fields = fields


class StoredSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Items in the request.")
    stored = serializers.IntegerField(help_text="Items written.")
    duplicates = serializers.IntegerField(help_text="Events already stored under their message id.")


# --- Metric values -----------------------------------------------------------------------------------------


class MetricInSerializer(serializers.Serializer):
    company = TextField(max_length=255, help_text="The company's external id.")
    metric = TextField(max_length=100, help_text="e.g. landing_page_conversion_rate.")
    value = FloatInField()
    date = serializers.DateField(
        help_text="The day the value is for; a later value for the day replaces it.",
        validators=[validate_day_kept],
    )


class MetricBatchInSerializer(serializers.Serializer):
    metrics = serializers.ListField(
        child=MetricInSerializer(), min_length=1, max_length=MAX_ITEMS, help_text="1 to 2,500 values."
    )


def metrics_in(data, *, user) -> list[tuple[int, str, object, float]]:
    """(company id, metric, day, value) of each reading of a body (one or {"metrics": [...]}); strict like
    events_in."""
    items, batch = batch_items(data, "metrics")
    valid, errors = items_validate(MetricInSerializer(), items)
    ids = _company_ids(valid, errors, user=user)
    if errors:
        raise items_invalid("metrics", errors, total=len(items), batch=batch)
    return [(ids[item["company"]], item["metric"], item["date"], item["value"]) for item in valid.values()]


class MetricValueSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.external_id", help_text="The company's external id.")

    class Meta:
        model = MetricValue
        fields = ["company", "metric", "date", "value", "recorded_at"]
        read_only_fields = fields


class MetricsStoredSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Values in the request.")
    stored = serializers.IntegerField(
        help_text="Values written (a company, metric and day sent twice: once)."
    )


# --- A company's journey (DESIGN §11) -----------------------------------------------------------------------

STEPS_SHOWN = 20  # the latest score steps a journey lists by default


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A number as it is: counts stay integers (57, not 57.0), and whole thresholds read as integers."""

    def to_representation(self, value):
        return int(value) if isinstance(value, float) and value.is_integer() else value


class JourneyQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="YYYY-MM-DD: the end of that day in the workspace time zone. Default: now."
    )
    steps = serializers.RegexField(
        r"^(all|[0-9]{1,6})$",
        required=False,
        help_text="How many of the latest score steps the explanation lists: a number (default "
        f"{STEPS_SHOWN}) or `all`.",
        error_messages={"invalid": "A number of steps, or all."},
    )

    def validate_as_of(self, value):
        if value > today():
            raise serializers.ValidationError("as_of cannot be in the future.")
        if value < earliest_day():
            raise serializers.ValidationError(too_early_message())
        return value


@extend_schema_field(OpenApiTypes.DOUBLE)
class ScoreField(serializers.Field):
    """Integer hundredths as a score with two decimals (250 → 2.5); null stays null."""

    def to_representation(self, value):
        return None if value is None else round(value / 100, 2)


class BonusSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="sessions, longer sessions, or problem → solution.")
    percent = serializers.IntegerField()


class ScoreStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    cause = serializers.ChoiceField(choices=["event", "decay"])
    event = serializers.CharField(source="event_name", help_text="The event (empty for decay).")
    rule = serializers.CharField(help_text="The scoring rule that matched (empty: none).")
    points = ScoreField(help_text="The rule's points.")
    bonuses = serializers.SerializerMethodField(help_text="Velocity bonuses on the points.")
    applied = ScoreField(help_text="What the step added (after bonuses and ceiling) or took away.")
    ceiling = ScoreField(allow_null=True, help_text="Set when the rule's ceiling limited the points.")
    floor = ScoreField(allow_null=True, help_text="Set when a stage trigger raised the score to it.")
    trigger = serializers.CharField(help_text="The stage trigger that raised the score (empty: none).")
    score = ScoreField(help_text="The score after the step.")
    stage = serializers.CharField(help_text="The stage after the step.")

    @extend_schema_field(BonusSerializer(many=True))
    def get_bonuses(self, step) -> list[dict]:
        return [{"name": name, "percent": percent} for name, percent in step.bonuses]


class NextMoveSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="A stage trigger's name, or an event that adds points.")
    events_needed = serializers.IntegerField(source="needed")
    score = ScoreField(help_text="The score it would give now.")
    stage = serializers.CharField(help_text="The stage it would reach.")


class NextDecaySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="next_decay_at")
    score = ScoreField(source="next_decay_score", help_text="The score after it, without engagement before.")


class ExplanationSerializer(serializers.Serializer):
    steps = serializers.SerializerMethodField(help_text="The latest steps, most recent first.")
    steps_total = serializers.SerializerMethodField(help_text="All the steps; `?steps=all` lists them.")
    next_moves = NextMoveSerializer(many=True, source="suggestions", help_text="What would move it next.")
    next_decay = serializers.SerializerMethodField(help_text="The next decay step; null: none due.")
    last_engagement_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ScoreStepSerializer(many=True))
    def get_steps(self, explanation) -> list[dict]:
        shown = self.context.get("steps", STEPS_SHOWN)
        steps = explanation.steps if shown == "all" else explanation.steps[: int(shown)]
        return ScoreStepSerializer(steps, many=True).data

    def get_steps_total(self, explanation) -> int:
        return len(explanation.steps)

    @extend_schema_field(NextDecaySerializer(allow_null=True))
    def get_next_decay(self, explanation) -> dict | None:
        return NextDecaySerializer(explanation).data if explanation.next_decay_at else None


class MilestoneRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class CriterionValueSerializer(serializers.Serializer):
    label = serializers.CharField(source="criterion.display_label")
    value = NumberField(
        allow_null=True, help_text="On the day; null: no metric value yet, or no denominator."
    )
    threshold = NumberField(source="criterion.threshold")
    met = serializers.BooleanField()


class MilestoneStatusSerializer(serializers.Serializer):
    key = serializers.CharField(source="milestone.key")
    name = serializers.CharField(source="milestone.name")
    phase = serializers.CharField(source="milestone.phase.key")
    achieved_on = serializers.DateField(allow_null=True)
    criteria = CriterionValueSerializer(many=True)


class RecommendedResourceSerializer(serializers.Serializer):
    title = serializers.CharField(source="resource.title")
    url = serializers.URLField(source="resource.url")
    kind = serializers.CharField(source="resource.kind")
    reason = serializers.ChoiceField(
        choices=["milestone", "stage"],
        help_text="milestone: helps with the current milestone; stage: content for the buyer stage.",
    )


class JourneySerializer(serializers.Serializer):
    company = serializers.CharField(source="company.external_id")
    as_of = serializers.DateField()
    score = serializers.SerializerMethodField(help_text="0.00–10.00, two decimals.")
    stage = serializers.CharField(help_text="target, education, solution, evaluation or ready_to_buy.")
    position = serializers.IntegerField(help_text="Milestones achieved in an unbroken run from the first.")
    current_milestone = MilestoneRefSerializer(
        allow_null=True, help_text="The next milestone; null past the last."
    )
    days_at_position = serializers.IntegerField(allow_null=True)
    milestones = MilestoneStatusSerializer(many=True)
    health = serializers.IntegerField(
        allow_null=True, help_text="0–100; null when not a customer on the day."
    )
    open_ctas = serializers.SerializerMethodField()
    recommended_resources = RecommendedResourceSerializer(many=True)
    explanation = ExplanationSerializer(help_text="Why the score is what it is, and what would move it next.")

    def get_score(self, journey) -> float:
        return round(journey.score / 100, 2)

    @extend_schema_field(CTASerializer(many=True))
    def get_open_ctas(self, journey) -> list:
        """The company's CTAs that are not closed (open, in progress, snoozed), highest priority first."""
        return CTASerializer(company_open_ctas(company=journey.company), many=True).data

"""The CTA as the REST API shows it (DESIGN §11): in ctas/ and in a company's journey (`open_ctas`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ctas.models import CTA, CTATask


class CTATaskSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(help_text="Checked off.")
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = CTATask
        fields = ["id", "order", "title", "due_on", "done", "done_by", "done_at"]
        read_only_fields = fields


class PrioritySerializer(serializers.Serializer):
    score = serializers.IntegerField(source="priority_score", help_text="0–100, the sum of the parts.")
    days = serializers.IntegerField(source="score_days", help_text="Days at the milestone (up to 30).")
    mrr = serializers.IntegerField(source="score_mrr", help_text="MRR rank among customers (up to 25).")
    health = serializers.IntegerField(source="score_health", help_text="Low health (up to 25).")
    due = serializers.IntegerField(source="score_due", help_text="Due date near or past (up to 20).")


class CTASerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    type = serializers.SlugRelatedField(source="cta_type", slug_field="slug", read_only=True)
    milestone = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: the unassigned pool."
    )
    outcome = serializers.SerializerMethodField(
        help_text="done, not_needed, milestone_achieved, churned; null while not closed."
    )
    rule = serializers.SlugRelatedField(
        slug_field="name",
        read_only=True,
        allow_null=True,
        help_text="The rule that opened it; null: by hand.",
    )
    tasks = CTATaskSerializer(many=True, read_only=True)
    priority = PrioritySerializer(source="*", read_only=True)

    class Meta:
        model = CTA
        fields = [
            "id",
            "company",
            "type",
            "status",
            "milestone",
            "owner",
            "due_on",
            "outcome",
            "snoozed_until",
            "reason",
            "note",
            "rule",
            "tasks",
            "created_on",
            "closed_on",
            "priority",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CTA.Outcome.values, allow_null=True))
    def get_outcome(self, cta: CTA) -> str | None:
        return cta.outcome or None

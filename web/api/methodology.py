"""The methodology, read-only, for the REST API: phases → milestones → checklist criteria, tasks and
resources, in sequence (the methodology portal's content, for other tools)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from content.models import Resource
from core.conditions import Operator
from milestones.models import Criterion, Milestone, Phase
from playbooks.models import TaskTemplate
from playbooks.selectors import methodology_tree


class ResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["title", "url", "kind", "summary"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    resources = ResourceSerializer(many=True, read_only=True)

    class Meta:
        model = TaskTemplate
        fields = ["order", "title", "description", "resources"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="display_label", read_only=True)
    rule = serializers.CharField(source="rule_text", read_only=True, help_text="e.g. lead_created ≥ 50.")
    property_operator = serializers.ChoiceField(
        choices=Operator.choices, allow_blank=True, read_only=True, help_text="Empty: no property condition."
    )

    class Meta:
        model = Criterion
        fields = [
            "label",
            "rule",
            "kind",
            "event_name",
            "denominator_event_name",
            "min_denominator",
            "metric",
            "comparator",
            "threshold",
            "window_days",
            "property_key",
            "property_operator",
            "property_value",
        ]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    resources = ResourceSerializer(many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = ["key", "name", "order", "description", "target_days", "criteria", "tasks", "resources"]
        read_only_fields = fields


class PhaseSerializer(serializers.ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = ["key", "name", "order", "goal", "typical_duration", "start_requirements", "milestones"]
        read_only_fields = fields


@extend_schema(summary="The methodology: phases, milestones, checklists, tasks and resources")
class MethodologyView(generics.ListAPIView):
    """Every role may read it. Not paginated: a methodology is tens of milestones."""

    serializer_class = PhaseSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return methodology_tree()

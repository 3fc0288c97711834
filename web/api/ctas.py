"""The CTAs of the REST API (DESIGN §11): list and read (`company`, `status`, `owner`, `type`, `milestone`
filters), PATCH a CTA's status, owner (managers) and task completion, POST a CTA by hand. The same rules
as the pages (ctas/selectors.py): a CSM sees the CTAs they own and those of the companies they see, and
changes the ones they own or of their own companies; any other is a 404."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import User
from companies.models import Company
from core.api_schema import NO_NUL
from ctas.models import CTA
from ctas.selectors import csms, ctas_visible
from ctas.services import lifecycle
from milestones.models import CTAType
from web.api.cta_serializers import CTASerializer
from web.api.serializers import TextField


class CTAFilter(django_filters.FilterSet):
    company = django_filters.CharFilter(
        field_name="company__external_id", help_text="The company's external id."
    )
    status = django_filters.ChoiceFilter(choices=CTA.Status.choices)
    owner = django_filters.CharFilter(field_name="owner__username", help_text="The owner's username.")
    type = django_filters.CharFilter(field_name="cta_type__slug", help_text="The CTA type's slug, e.g. ebr.")
    milestone = django_filters.CharFilter(field_name="milestone__key", help_text="The milestone's key.")

    class Meta:
        model = CTA
        fields = ["company", "status", "owner", "type", "milestone"]


class TaskChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    done = serializers.BooleanField()


class CTAUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "in_progress", "snoozed", "closed"], required=False)
    snoozed_until = serializers.DateField(required=False, help_text="With status snoozed: a day after today.")
    reason = TextField(required=False, allow_blank=True, max_length=300, help_text="With status snoozed.")
    outcome = serializers.ChoiceField(
        choices=[o.value for o in lifecycle.PEOPLE_OUTCOMES], required=False, help_text="With status closed."
    )
    note = TextField(required=False, allow_blank=True, max_length=2000)
    owner = TextField(
        required=False,
        allow_null=True,
        max_length=150,
        help_text="Managers: a CSM's username, or null for the pool.",
    )
    tasks = TaskChangeSerializer(many=True, required=False, help_text="Tasks to check off or reopen.")


@extend_schema_field(
    {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 200, "pattern": NO_NUL}}
)
class TaskTitlesField(serializers.ListField):
    """Task titles as sent: blank ones are left out (the service drops them), so no title the schema allows
    is refused; a NUL character, which no text column can hold, is."""

    child = TextField(max_length=200, allow_blank=True, trim_whitespace=False)


class CTACreateSerializer(serializers.Serializer):
    company = TextField(max_length=255, help_text="The company's external id.")
    type = TextField(max_length=50, help_text="The CTA type's slug, e.g. ebr.")
    due_on = serializers.DateField(help_text="Today or later.")
    reason = TextField(required=False, allow_blank=True, max_length=300)
    tasks = TaskTitlesField(required=False, max_length=20)
    owner = TextField(
        required=False, max_length=150, help_text="Managers: a CSM's username (default: the company's CSM)."
    )

    def validate_type(self, value: str) -> CTAType:
        found = CTAType.objects.filter(slug=value).first()
        if found is None:
            raise serializers.ValidationError(f"No CTA type {value!r}.")
        return found


def _csm(username: str | None) -> User | None:
    if username is None:
        return None
    found = csms().filter(username=username).first()
    if found is None:
        raise serializers.ValidationError({"owner": [f"{username!r} is not an active CSM."]})
    return found


@extend_schema_view(
    list=extend_schema(summary="List CTAs"),
    retrieve=extend_schema(summary="Get a CTA"),
    create=extend_schema(
        summary="Open a CTA by hand", request=CTACreateSerializer, responses={201: CTASerializer}
    ),
    partial_update=extend_schema(
        summary="Change a CTA's status, owner or tasks", request=CTAUpdateSerializer, responses=CTASerializer
    ),
)
class CTAViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Calls to action, highest priority first. Status changes: `in_progress`; `snoozed` with
    `snoozed_until` and `reason`; `closed` with `outcome` (and a `note`); `open` wakes a snoozed CTA."""

    serializer_class = CTASerializer
    filterset_class = CTAFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CTA.objects.none()
        return (
            ctas_visible(user=self.request.user)
            .select_related("company", "cta_type", "milestone", "owner", "rule")
            .prefetch_related("tasks__done_by")
            .order_by("-priority_score", "due_on", "id")
        )

    def partial_update(self, request, pk: int):
        cta = self.get_object()
        serializer = CTAUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "owner" in data and not request.user.sees_everyone:
            raise PermissionDenied("Only managers assign CTAs.")
        owner = _csm(data.pop("owner")) if "owner" in data else ...
        tasks = [(task["id"], task["done"]) for task in data.pop("tasks", [])]
        lifecycle.cta_update(user=request.user, cta_id=cta.pk, owner=owner, tasks=tasks, **data)
        return Response(CTASerializer(self.get_queryset().get(pk=cta.pk)).data)

    def create(self, request):
        serializer = CTACreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = get_object_or_404(Company.objects.visible_to(request.user), external_id=data["company"])
        owner = None
        if "owner" in data:
            if not request.user.sees_everyone:
                raise PermissionDenied("Only managers name the owner; a CSM's CTA is theirs.")
            owner = _csm(data["owner"])
        cta = lifecycle.cta_create(
            user=request.user,
            company=company,
            cta_type=data["type"],
            due_on=data["due_on"],
            reason=data.get("reason", ""),
            tasks=data.get("tasks", []),
            owner=owner,
        )
        return Response(
            CTASerializer(self.get_queryset().get(pk=cta.pk)).data, status=status.HTTP_201_CREATED
        )

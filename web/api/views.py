"""The REST API of companies, contacts, events, metric values and a company's journey (/api/v1/).

Access (DESIGN §8): every call needs a token or a session and a role. CSMs see and change only their own
companies (and those companies' contacts, events and metric values); another CSM's company answers 404,
as if it did not exist. Managers and admins see everything."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import HasRole, IsManagerOrAdmin
from companies.models import Company, Contact, Event, MetricValue
from companies.selectors import contact_list, event_list, metric_value_list
from companies.services import (
    company_create,
    company_update,
    contact_create,
    contact_update,
    metric_values_upsert,
)
from ingestion.services.api_events import events_record
from web.api import serializers as s
from web.api.filters import CompanyFilter, ContactFilter, EventFilter, MetricValueFilter
from web.selectors import company_journey, company_list


def _valid(serializer_class, data, *, partial: bool = False, **context) -> dict:
    serializer = serializer_class(data=data, context=context, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="List companies"),
    retrieve=extend_schema(summary="Get a company"),
    create=extend_schema(
        summary="Create a company", request=s.CompanyCreateSerializer, responses={201: s.CompanySerializer}
    ),
    update=extend_schema(
        summary="Replace a company", request=s.CompanyInSerializer, responses=s.CompanySerializer
    ),
    partial_update=extend_schema(
        summary="Update some of a company's fields",
        request=s.CompanyInSerializer,
        responses=s.CompanySerializer,
    ),
)
class CompanyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Companies, looked up by `external_id` (anything but '/').

    Managers and admins create companies and assign them to CSMs (`csm`): new accounts come from the CRM,
    whose sync runs as a service user with the Manager role. A CSM reads and updates their own companies,
    but cannot create one (it would belong to nobody) nor change `csm`."""

    serializer_class = s.CompanySerializer
    filterset_class = CompanyFilter
    lookup_field = "external_id"
    lookup_value_converter = "external_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's request has no user
            return Company.objects.none()
        return company_list(user=self.request.user).order_by("name", "id")

    def get_permissions(self):
        if self.action == "create":
            return [HasRole(), IsManagerOrAdmin()]
        return super().get_permissions()

    def create(self, request):
        data = _valid(s.CompanyCreateSerializer, request.data, request=request)
        company = company_create(**data)
        return Response(s.CompanySerializer(company).data, status=status.HTTP_201_CREATED)

    def update(self, request, external_id: str, partial: bool = False):
        company = self.get_object()
        data = _valid(s.CompanyInSerializer, request.data, request=request, company=company, partial=partial)
        company = company_update(company=company, **data)
        return Response(s.CompanySerializer(company).data)

    def partial_update(self, request, external_id: str):
        return self.update(request, external_id, partial=True)

    @extend_schema(
        summary="A company's journey on a day",
        parameters=[s.JourneyQuerySerializer],
        responses=s.JourneySerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def journey(self, request, external_id: str):
        """Score and stage with their explanation (the latest steps and what would move it next), position
        and current milestone, each milestone with its date and checklist values, health and the content
        that helps now, all as of the end of `as_of` (default: now)."""
        company = self.get_object()
        query = _valid(s.JourneyQuerySerializer, request.query_params)
        journey = company_journey(company=company, as_of=query.get("as_of"))
        steps = query.get("steps", s.STEPS_SHOWN)
        return Response(s.JourneySerializer(journey, context={"steps": steps}).data)


@extend_schema_view(
    list=extend_schema(summary="List contacts"),
    retrieve=extend_schema(summary="Get a contact"),
    create=extend_schema(
        summary="Create a contact", request=s.ContactCreateSerializer, responses={201: s.ContactSerializer}
    ),
    update=extend_schema(
        summary="Replace a contact", request=s.ContactInSerializer, responses=s.ContactSerializer
    ),
    partial_update=extend_schema(
        summary="Update some of a contact's fields",
        request=s.ContactInSerializer,
        responses=s.ContactSerializer,
    ),
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """People at companies, by id. CSMs see and edit the contacts of their own companies, and add contacts
    to them; managers and admins all contacts, including those without a company."""

    serializer_class = s.ContactSerializer
    filterset_class = ContactFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return contact_list(user=self.request.user).order_by("name", "email", "id")

    def create(self, request):
        data = _valid(s.ContactCreateSerializer, request.data, request=request)
        return Response(s.ContactSerializer(contact_create(**data)).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk: int, partial: bool = False):
        contact = self.get_object()
        data = _valid(s.ContactInSerializer, request.data, request=request, contact=contact, partial=partial)
        return Response(s.ContactSerializer(contact_update(contact=contact, **data)).data)

    def partial_update(self, request, pk: int):
        return self.update(request, pk, partial=True)


_STORED = {
    201: OpenApiResponse(s.StoredSerializer, description="Some events were new."),
    200: OpenApiResponse(s.StoredSerializer, description="Every event was stored before (a retry)."),
}


@extend_schema_view(
    list=extend_schema(summary="List a company's events, newest first"),
    create=extend_schema(
        summary="Send one event or a batch",
        request=PolymorphicProxySerializer(
            component_name="EventsIn",
            serializers=[s.EventInSerializer, s.EventBatchInSerializer],
            resource_type_field_name=None,
        ),
        responses=_STORED,
    ),
)
class EventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Events: POST one or `{"events": [...]}` (up to 2,500), strictly: an invalid event fails the whole
    request with every error by index, and nothing is stored. A message id already stored is skipped, so
    a retry is safe. Any role may send events for the companies it sees (CSMs: their own)."""

    serializer_class = s.EventSerializer
    filterset_class = EventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return event_list(user=self.request.user)

    def create(self, request):
        items, received = s.events_in(request.data, user=request.user)
        stored = events_record(user=request.user, items=items)
        body = {"received": received, "stored": stored, "duplicates": received - stored}
        return Response(body, status=status.HTTP_201_CREATED if stored else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="List a company's metric values"),
    create=extend_schema(
        summary="Send one metric value or a batch",
        request=PolymorphicProxySerializer(
            component_name="MetricsIn",
            serializers=[s.MetricInSerializer, s.MetricBatchInSerializer],
            resource_type_field_name=None,
        ),
        responses={200: s.MetricsStoredSerializer},
    ),
)
class MetricValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Metric values (KPIs per company and day): POST one or `{"metrics": [...]}`, strictly like events. A
    value for a company, metric and day replaces the one stored, so resending is safe."""

    serializer_class = s.MetricValueSerializer
    filterset_class = MetricValueFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MetricValue.objects.none()
        return metric_value_list(user=self.request.user)

    def create(self, request):
        values = s.metrics_in(request.data, user=request.user)
        return Response({"received": len(values), "stored": metric_values_upsert(values=values)})

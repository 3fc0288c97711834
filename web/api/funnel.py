"""The success funnel for other tools (DESIGN §11): `GET /api/v1/funnel/?as_of=D&csm=&segment=&plan=&cohort=`
(the page's numbers, from the same selectors), and a company's forecast of its next milestone."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasRole, IsManagerOrAdmin
from core.api import ErrorSerializer, Invalid
from core.api_schema import NO_NUL
from funnel.selectors import company_forecast, funnel_view
from web.analytics import COHORT_PATTERN, funnel_records, read_filters
from web.selectors import company_get


class MilestoneFiguresSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    reached = serializers.IntegerField(help_text="Customers on the day past this milestone (position ≥ k).")
    at = serializers.IntegerField(help_text="Customers working on it (the first milestone: position 0).")
    conversion = serializers.FloatField(allow_null=True, help_text="reached / reached of the previous one.")
    median_days = serializers.IntegerField(
        allow_null=True, help_text="From the previous milestone; nearest rank."
    )
    p80_days = serializers.IntegerField(allow_null=True, help_text="80th percentile, nearest rank.")
    timed = serializers.IntegerField(help_text="Companies the days are measured over.")
    stuck = serializers.IntegerField()
    churned = serializers.IntegerField(help_text="Companies that churned while working on it, by the day.")
    churn_rate = serializers.FloatField(allow_null=True, help_text="churned / (churned + at).")
    mean_health = serializers.FloatField(allow_null=True, help_text="Of the customers working on it.")
    health_count = serializers.IntegerField(help_text="Customers the mean health is over.")


class FunnelSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    filters = serializers.DictField(child=serializers.CharField())
    total = serializers.IntegerField(help_text="Customers on the day.")
    completed = serializers.IntegerField(help_text="Customers past the last milestone.")
    churned = serializers.IntegerField(help_text="Companies churned by the day.")
    milestones = MilestoneFiguresSerializer(many=True)
    bottleneck = serializers.CharField(allow_null=True, help_text="Key of the milestone with the most stuck.")


FILTER_PARAMETERS = [
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: the last assessed day."),
    OpenApiParameter("csm", str, description="A CSM's username (unknown: 404).", pattern=NO_NUL),
    OpenApiParameter("segment", str, description="Unknown: 404.", pattern=NO_NUL),
    OpenApiParameter("plan", str, description="Unknown: 404.", pattern=NO_NUL),
    OpenApiParameter(
        "cohort",
        str,
        description="Month of customer_since, YYYY-MM (empty: any).",
        pattern=f"^({COHORT_PATTERN.strip('^$')})?$",
    ),
]


def funnel_payload(query) -> dict:
    filters = read_filters(query, strict=True)
    if filters.unknown and len(filters.unknown) == len(filters.errors):
        # Well-formed, but naming no CSM, segment or plan: there is no such funnel.
        raise exceptions.NotFound(" ".join(filters.unknown))
    if filters.errors:
        raise Invalid("These filters cannot be used.", {"filters": filters.errors})
    if filters.as_of is None:
        raise Invalid(
            "Nothing assessed yet: the daily run fills the funnel.", {"as_of": ["No day assessed."]}
        )
    view = funnel_view(filters.filter, filters.as_of)
    return {
        "as_of": view.as_of,
        "filters": filters.params,
        "total": view.customers,
        "completed": view.completed,
        "churned": view.churned,
        "milestones": funnel_records(view),
        "bottleneck": view.bottleneck[0].key if view.bottleneck else None,
    }


class FunnelAPIView(APIView):
    permission_classes = [HasRole, IsManagerOrAdmin]

    @extend_schema(
        summary="The success funnel as of a day",
        parameters=FILTER_PARAMETERS,
        responses={
            200: FunnelSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No CSM, segment or plan of that name."),
        },
    )
    def get(self, request):
        return Response(FunnelSerializer(funnel_payload(request.query_params)).data)


class CompanyForecastSerializer(serializers.Serializer):
    company = serializers.CharField()
    position = serializers.IntegerField()
    days_at_position = serializers.IntegerField()
    group = serializers.IntegerField(help_text="Companies followed longer at this position.")
    declined = serializers.BooleanField(help_text="True below the minimum group: no forecast.")
    probability_within_90_days = serializers.FloatField(allow_null=True)
    expected_in_days = serializers.IntegerField(allow_null=True, help_text="Median remaining days.")


class CompanyForecastAPIView(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        summary="A customer's next milestone: expected day and chance within 90 days",
        responses=CompanyForecastSerializer,
    )
    def get(self, request, external_id: str):
        company = company_get(user=request.user, external_id=external_id)
        forecast = company_forecast(company_id=company.pk)
        if forecast is None:
            raise exceptions.NotFound("No forecast: not a customer working on a milestone, or none made yet.")
        data = {
            "company": company.external_id,
            "position": forecast.position,
            "days_at_position": forecast.waited,
            "group": forecast.group,
            "declined": forecast.declined,
            "probability_within_90_days": round(forecast.probability, 3)
            if forecast.probability is not None
            else None,
            "expected_in_days": forecast.days_to_go,
        }
        return Response(CompanyForecastSerializer(data).data)

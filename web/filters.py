"""The company list's filters (the page); the API's are in web/api/filters.py."""

from __future__ import annotations

import django_filters

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from companies.models import Company
from companies.selectors import companies_search
from journey.models import Stage


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    lifecycle = django_filters.ChoiceFilter(choices=Company.Lifecycle.choices, empty_label="Any lifecycle")
    segment = django_filters.AllValuesFilter(empty_label="Any segment")
    plan = django_filters.AllValuesFilter(empty_label="Any plan")
    csm = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(groups__name=GROUP_NAMES[Role.CSM]).order_by("username"),
        empty_label="Any CSM",
        label="CSM",
    )
    stuck = django_filters.BooleanFilter(
        field_name="progress__stuck_since",
        lookup_expr="isnull",
        exclude=True,
        label="Stuck",
        widget=django_filters.widgets.BooleanWidget(),
    )
    stage = django_filters.ModelChoiceFilter(
        field_name="journey__stage",
        queryset=Stage.objects.order_by("min_score"),
        to_field_name="key",
        empty_label="Any stage",
        label="Buyer stage",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("mrr", "mrr"),
            ("customer_since", "customer_since"),
            ("journey__score", "score"),
        ),
        field_labels={"journey__score": "Score"},
        empty_label="Sort",
    )

    class Meta:
        model = Company
        fields = ["q", "lifecycle", "segment", "plan", "csm", "stuck", "stage"]

    def search(self, queryset, name, value):
        return companies_search(queryset, value)

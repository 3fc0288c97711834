"""The company list's filters (the page); the API's are in web/api/filters.py.

Built for 100,000 companies: the segment and plan choices come from a cached list (companies/selectors.py),
the CSM filter is a text field with suggestions rather than a <select> of every CSM, and search goes
through companies_search, which the trigram indexes serve on PostgreSQL."""

from __future__ import annotations

import django_filters

from companies.models import Company
from companies.selectors import companies_search, company_filter_values
from journey.models import Stage
from milestones.models import Milestone


def _segments():
    return [(value, value) for value in company_filter_values().segments]


def _plans():
    return [(value, value) for value in company_filter_values().plans]


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    lifecycle = django_filters.ChoiceFilter(choices=Company.Lifecycle.choices, empty_label="Any lifecycle")
    segment = django_filters.ChoiceFilter(choices=_segments, empty_label="Any segment")
    plan = django_filters.ChoiceFilter(choices=_plans, empty_label="Any plan")
    csm = django_filters.CharFilter(field_name="csm__username", label="CSM")
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
    # The accounts behind a number of the success funnel: by current milestone, milestone reached, cohort.
    milestone = django_filters.ModelChoiceFilter(
        field_name="progress__current_milestone",
        queryset=Milestone.objects.all(),
        to_field_name="key",
        label="Working on milestone",
    )
    reached = django_filters.ModelChoiceFilter(
        queryset=Milestone.objects.all(), to_field_name="key", method="reached_milestone", label="Reached"
    )
    cohort = django_filters.DateFilter(
        method="in_cohort", input_formats=["%Y-%m"], label="Customers since (month)"
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
        fields = [
            "q",
            "lifecycle",
            "segment",
            "plan",
            "csm",
            "stuck",
            "stage",
            "milestone",
            "reached",
            "cohort",
        ]

    def search(self, queryset, name, value):
        return companies_search(queryset, value)

    @property
    def narrows(self) -> bool:
        """Whether any filter or search applies, or an invalid one empties the list: the list is then not
        the whole table, and is counted."""
        if not self.is_bound:
            return False
        if not self.form.is_valid():
            return True
        data = self.form.cleaned_data
        return any(value not in (None, "", []) for key, value in data.items() if key != "ordering")

    def reached_milestone(self, queryset, name, value):
        """Position past the milestone (DESIGN §4.3), as the funnel's "reached" counts."""
        index = list(Milestone.objects.in_sequence().values_list("pk", flat=True)).index(value.pk)
        return queryset.filter(progress__position__gt=index)

    def in_cohort(self, queryset, name, value):
        queryset = queryset.filter(customer_since__gte=value.replace(day=1))
        if value.year == 9999 and value.month == 12:
            return queryset  # the last month has no month after it
        following = value.replace(day=1, year=value.year + value.month // 12, month=value.month % 12 + 1)
        return queryset.filter(customer_since__lt=following)

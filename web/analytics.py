"""What the analytics pages, their CSV exports and the funnel API share: reading the filters from the query
string (an unknown value is an error to show, never ignored), the links to the accounts behind a number,
and CSV cells that a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse, QueryDict
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from companies.models import Company
from core.days import earliest_day, today, yesterday
from funnel.members import AnalyticsFilter, cohort_key
from funnel.models import FunnelDay, Scope
from funnel.selectors import last_day

COHORT_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"  # a month, from year 1000 on
COHORT = re.compile(COHORT_PATTERN)
FILTER_NAMES = ("csm", "segment", "plan", "cohort")


@dataclass
class Filters:
    """The filters read from a query string, the day asked for, and what was wrong with them."""

    filter: AnalyticsFilter
    as_of: date | None
    latest: date | None  # the last assessed day
    errors: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # well-formed values that name nothing (of `errors`)
    params: dict[str, str] = field(default_factory=dict)  # the valid filters, as given (for links)
    csm: User | None = None

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def with_day_query(self) -> str:
        return self.with_day(self.as_of)

    def with_day(self, day: date | None) -> str:
        return urlencode({**self.params, **({"as_of": day.isoformat()} if day else {})})

    @property
    def companies_query(self) -> str:
        """The same filters as the company list reads them (both name the CSM by username)."""
        return urlencode(self.params)


def csm_users():
    return User.objects.filter(groups__name=GROUP_NAMES[Role.CSM]).order_by("username")


def filter_values(latest: date | None) -> dict[str, list[str]]:
    """The segments, plans and cohorts there are: from the last snapshot (a few rows, one query), else from
    the companies."""
    values: dict[str, list[str]] = {Scope.SEGMENT: [], Scope.PLAN: [], Scope.COHORT: []}
    if latest is not None:
        for scope, value in (
            FunnelDay.objects.filter(scope__in=list(values), as_of=latest, position=0)
            .order_by("scope", "value")
            .values_list("scope", "value")
        ):
            values[scope].append(value)
    for scope in (Scope.SEGMENT, Scope.PLAN):
        if not values[scope]:
            values[scope] = list(
                Company.objects.exclude(**{scope: ""})
                .order_by(scope)
                .values_list(scope, flat=True)
                .distinct()
            )
    return values


def read_filters(query: QueryDict, *, default_day: bool = True, strict: bool = False) -> Filters:
    """The CSM (username), segment, plan, cohort (YYYY-MM) and as_of (YYYY-MM-DD) of a query string.
    `strict` (the API): an empty as_of is an error, not "the default day" as a page's empty field is."""
    latest = last_day()
    errors: list[str] = []
    unknown: list[str] = []
    params: dict[str, str] = {}
    values: dict = {}
    csm = None
    username = query.get("csm", "").strip()
    if username:
        csm = csm_users().filter(username=username).first()
        if csm is None:
            unknown.append(f"There is no CSM named {username!r}.")
        else:
            values["csm_id"], params["csm"] = csm.pk, username
    for column in ("segment", "plan"):
        value = query.get(column, "").strip()
        if value:
            if Company.objects.filter(**{column: value}).exists():
                values[column], params[column] = value, value
            else:
                unknown.append(f"No company has the {column} {value!r}.")
    cohort = query.get("cohort", "").strip()
    if cohort:
        if COHORT.match(cohort):
            values["cohort"] = date(int(cohort[:4]), int(cohort[5:]), 1)
            params["cohort"] = cohort_key(values["cohort"])
        else:
            errors.append(f"The cohort {cohort!r} is not a month: use YYYY-MM.")
    as_of = None
    text = query.get("as_of", "").strip()
    if strict and "as_of" in query and not text:
        errors.append("as_of is empty: give a day (YYYY-MM-DD) or leave it out.")
    if text:
        try:
            as_of = date.fromisoformat(text)
        except ValueError:
            errors.append(f"{text!r} is not a day: use YYYY-MM-DD.")
        else:
            if as_of < earliest_day() or as_of > today():
                errors.append(f"{text} is outside the days Waypoint keeps (up to today).")
                as_of = None
    if as_of is None and default_day:
        as_of = latest or yesterday()  # before the first daily run: computed from the achievements
    return Filters(AnalyticsFilter(**values), as_of, latest, unknown + errors, unknown, params, csm)


def _options(values: list[str], selected: str | None) -> str:
    # Built here rather than in a template loop: a workspace may have hundreds of CSMs.
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if value == selected else "", value) for value in values),
    )


def filter_choices(filters: Filters) -> dict:
    """The <option>s of each filter's select, the current value selected."""
    values = filter_values(filters.latest)
    chosen = filters.params
    return {
        "csm": _options(list(csm_users().values_list("username", flat=True)), chosen.get("csm")),
        "segment": _options(values[Scope.SEGMENT], chosen.get("segment")),
        "plan": _options(values[Scope.PLAN], chosen.get("plan")),
        "cohort": _options(values[Scope.COHORT], chosen.get("cohort")),
    }


# --- CSV ------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as text; one a spreadsheet would read as a formula is prefixed with a quote (OWASP's advice
    for CSV injection), so it shows as text. Numbers stay numbers: only text is escaped."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, int | date):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


# --- One record per milestone: the CSV's rows and the API's items ---------------------------------------


def funnel_records(view) -> list[dict]:
    """The success funnel's table, one dict per milestone (DESIGN §11 names)."""
    return [
        {
            "key": milestone.key,
            "name": milestone.name,
            "reached": f.reached,
            "at": f.at,
            "conversion": round(f.conversion, 3) if f.conversion is not None else None,
            "median_days": f.median_days,
            "p80_days": f.p80_days,
            "timed": f.timed,
            "stuck": f.stuck,
            "churned": f.churned,
            "churn_rate": round(f.churn_rate, 3) if f.churn_rate is not None else None,
            "mean_health": f.mean_health,
            "health_count": f.health_count,
        }
        for milestone, f in view.rows
    ]

"""The buyer funnel, trends with releases, and forecasts pages, and the CSV export of every analytics table
(the same selectors as the pages, so a CSV holds the numbers on the screen)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from funnel.models import Release
from funnel.selectors import (
    buyer_funnel,
    forecasts,
    funnel_view,
    release_impacts,
    stage_trends,
    trends,
)
from funnel.stats import Proportion, two_proportion_z_test
from web.analytics import Filters, csv_response, funnel_records, read_filters
from web.pages.funnel import PERMISSION, analytics_context

TREND_DAYS = 180
WINDOWS = (7, 14, 30, 60, 90)


@permission_required(PERMISSION, raise_exception=True)
def buyer(request: HttpRequest) -> HttpResponse:
    filters, context, status = analytics_context(request, "buyer")
    if status == 200 and filters.as_of is not None:
        view = buyer_funnel(filters.filter, filters.as_of)
        context.update(
            view=view,
            chart={
                "labels": [s.name for s, _ in view.rows],
                "companies": [c.companies for _, c in view.rows],
            },
        )
    return render(request, "web/analytics/buyer.html", context, status=status)


def _range(request: HttpRequest, filters: Filters, latest: date | None) -> tuple[date, date] | None:
    last = latest or filters.as_of
    if last is None:
        return None
    first = last - timedelta(days=TREND_DAYS - 1)
    for name in ("from", "to"):
        text = request.GET.get(name, "").strip()
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            filters.errors.append(f"{text!r} is not a day: use YYYY-MM-DD.")
            continue
        if name == "from":
            first = day
        else:
            last = day
    if first > last:
        filters.errors.append("The first day is after the last.")
    elif (last - first).days > 3 * 366:
        filters.errors.append("Choose at most three years.")
    return first, last


def _window(request: HttpRequest, filters: Filters) -> int:
    text = request.GET.get("window", "30")
    if text.isdigit() and int(text) in WINDOWS:
        return int(text)
    filters.errors.append(f"The window is one of {', '.join(map(str, WINDOWS))} days.")
    return 30


def release_rows(filters: Filters, days: int, through: date) -> list[dict]:
    """Per release and milestone: before and after, Wilson intervals, and the two-proportion z-test."""
    rows = []
    for impact in release_impacts(filters.filter, days, through):
        for milestone, before, after in impact.rows:
            b, a = Proportion(before.reached, before.working), Proportion(after.reached, after.working)
            test = two_proportion_z_test(b.successes, b.trials, a.successes, a.trials)
            rows.append(
                {
                    "release": impact.release,
                    "complete": impact.complete,
                    "milestone": milestone,
                    "before": b,
                    "after": a,
                    "change": a.rate - b.rate if a.rate is not None and b.rate is not None else None,
                    "test": test,
                }
            )
    return rows


@permission_required(PERMISSION, raise_exception=True)
def trends_page(request: HttpRequest) -> HttpResponse:
    filters, context, status = analytics_context(request, "trends")
    span = _range(request, filters, context["latest"])
    days = _window(request, filters)
    status = 400 if filters.errors else 200
    context["extra_fields"] = [
        {"label": "From", "name": "from", "type": "date", "value": span[0].isoformat() if span else ""},
        {"label": "To", "name": "to", "type": "date", "value": span[1].isoformat() if span else ""},
        {
            "label": "Release window (days)",
            "name": "window",
            "type": "number",
            "value": days,
            "min": 7,
            "max": 90,
        },
    ]
    if status == 200 and span is not None:
        milestones, points = trends(filters.filter, *span)
        releases = release_rows(filters, days, span[1])
        marks = Release.objects.filter(date__gte=span[0], date__lte=span[1]).order_by("date")
        stages, by_day = stage_trends(filters.filter, *span)
        stage_days_ = sorted(by_day)
        context.update(
            milestones=milestones,
            points=points,
            releases=releases,
            window=days,
            span=span,
            stage_rows=[
                (stage, by_day[stage_days_[0]][i], by_day[stage_days_[-1]][i])
                for i, stage in enumerate(stages)
            ]
            if stage_days_
            else [],
            stage_span=(stage_days_[0], stage_days_[-1]) if stage_days_ else None,
            chart={
                "stage_days": [d.isoformat() for d in stage_days_],
                "stages": [
                    {"label": stage.name, "data": [by_day[d][i] for d in stage_days_]}
                    for i, stage in enumerate(stages)
                ],
                "days": [p.day.isoformat() for p in points],
                "at": [
                    {"label": m.name, "data": [p.figures[i].at for p in points]}
                    for i, m in enumerate(milestones)
                ],
                "conversion": [
                    {
                        "label": m.name,
                        "data": [
                            round(100 * p.figures[i].conversion, 1)
                            if p.figures[i].conversion is not None
                            else None
                            for p in points
                        ],
                    }
                    for i, m in enumerate(milestones)
                ],
                "releases": [{"day": r.date.isoformat(), "name": r.name} for r in marks],
            },
        )
    return render(request, "web/analytics/trends.html", context, status=status)


@permission_required(PERMISSION, raise_exception=True)
def forecast_page(request: HttpRequest) -> HttpResponse:
    filters, context, status = analytics_context(request, "forecast")
    if status == 200 and filters.as_of is not None:
        view = forecasts(filters.filter, filters.as_of)
        context["view"] = view
        if view is not None:
            rows = list(zip(view.milestones, view.throughput[30], view.throughput[90], strict=True))
            context.update(
                rows=rows,
                backtests=[
                    {
                        "horizon": h,
                        "rows": list(zip(view.milestones, result.rows, strict=True)),
                        "result": result,
                        "error": round(100 * result.error, 1) if result.error is not None else None,
                    }
                    for h, result in sorted(view.backtests.items())
                ],
                chart={
                    "labels": [m.name for m, *_ in rows],
                    "expected30": [t.expected for _, t, _ in rows],
                    "expected90": [t.expected for _, _, t in rows],
                    "range30": [f"{t.low}–{t.high}" if t.expected is not None else None for _, t, _ in rows],
                    "range90": [f"{t.low}–{t.high}" if t.expected is not None else None for _, _, t in rows],
                },
            )
    return render(request, "web/analytics/forecast.html", context, status=status)


# --- CSV ------------------------------------------------------------------------------------------------


def _csv_milestones(request, filters: Filters):
    records = funnel_records(funnel_view(filters.filter, filters.as_of))
    header = list(records[0]) if records else ["key"]
    return header, [list(r.values()) for r in records]


def _csv_stages(request, filters: Filters):
    view = buyer_funnel(filters.filter, filters.as_of)
    header = ["stage", "name", "companies", "up_7", "down_7", "up_30", "down_30", "median_days", "timed"]
    return header, [
        [s.key, s.name, c.companies, c.up_7, c.down_7, c.up_30, c.down_30, c.median_days, c.timed]
        for s, c in view.rows
    ]


def _csv_movers(request, filters: Filters):
    view = buyer_funnel(filters.filter, filters.as_of, movers=500)
    header = ["company", "name", "from", "to", "at", "cause", "event"]
    return header, [
        [
            m.company.external_id,
            m.company.name,
            m.from_stage.key,
            m.to_stage.key,
            m.at.isoformat(),
            m.cause,
            m.event_name,
        ]
        for m in view.movers
    ]


def _csv_trends(request, filters: Filters):
    span = _range(request, filters, filters.as_of)
    if span is None or filters.errors:
        return ["day"], []
    milestones, points = trends(filters.filter, *span)
    header = [
        "day",
        "milestone",
        "reached",
        "at",
        "conversion",
        "median_days",
        "p80_days",
        "stuck",
        "churned",
    ]
    return header, [
        [p.day, m.key, f.reached, f.at, round(f.conversion, 3) if f.conversion is not None else None,
         f.median_days, f.p80_days, f.stuck, f.churned]
        for p in points
        for m, f in zip(milestones, p.figures, strict=True)
    ]  # fmt: skip


def _csv_releases(request, filters: Filters):
    header = [
        "release", "date", "milestone", "before_reached", "before_working", "before_rate", "after_reached",
        "after_working", "after_rate", "z", "p_value", "after_complete",
    ]  # fmt: skip
    rows = []
    for r in release_rows(filters, _window(request, filters), filters.as_of):
        test = r["test"]
        rows.append(
            [r["release"].name, r["release"].date, r["milestone"].key, r["before"].successes, r["before"].trials,
             r["before"].rate, r["after"].successes, r["after"].trials, r["after"].rate,
             round(test.z, 3) if test else None, round(test.p_value, 4) if test else None, r["complete"]]
        )  # fmt: skip
    return header, rows


def _csv_forecast(request, filters: Filters):
    view = forecasts(filters.filter, filters.as_of)
    header = ["milestone", "horizon_days", "waiting", "group", "expected", "low", "high"]
    if view is None:
        return header, []
    return header, [
        [
            m.key,
            t.horizon,
            t.waiting,
            t.group,
            round(t.expected, 2) if t.expected is not None else None,
            t.low,
            t.high,
        ]
        for h in sorted(view.throughput)
        for m, t in zip(view.milestones, view.throughput[h], strict=True)
    ]


TABLES = {
    "milestones": _csv_milestones,
    "stages": _csv_stages,
    "movers": _csv_movers,
    "trends": _csv_trends,
    "releases": _csv_releases,
    "forecast": _csv_forecast,
}


@permission_required(PERMISSION, raise_exception=True)
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    make = TABLES.get(table)
    if make is None:
        raise Http404("No such table.")
    filters = read_filters(request.GET)
    if filters.errors or filters.as_of is None:
        message = "; ".join(filters.errors) or "Nothing assessed yet."
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    header, rows = make(request, filters)
    if filters.errors:
        return HttpResponse("; ".join(filters.errors), status=400, content_type="text/plain; charset=utf-8")
    suffix = "-".join(v for v in filters.params.values())
    name = f"{table}-{filters.as_of.isoformat()}{'-' + suffix if suffix else ''}.csv"
    return csv_response("".join(ch if ch.isalnum() or ch in "-." else "_" for ch in name), header, rows)

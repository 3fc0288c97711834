"""The daily run (DESIGN §6, §7): every daily job for one day, in order. In this process (`run_daily`, and
the embedded default without a broker) or fanned out over Celery workers (daily/tasks.py).

    0. pending: pending events whose company is known now are moved into the events (a safety net);
    1. milestones: the assessment of every customer, with position, stuck, health and the funnel snapshot;
    2. ctas: the day's CTAs, from the assessment's progress rows;
    3. scores: the buyer-journey scores brought to the end of the day, with the decay that fell due;
    4. analytics: the day's success-funnel and buyer-stage snapshots and the forecasts (funnel/).

Each job takes its own lease: a job already running elsewhere is skipped and reported, the others run."""

from __future__ import annotations

from datetime import date

from core.days import day_end
from core.locks import LeaseHeld
from ctas.services.generate import NotAssessed, ctas_generate
from funnel.services import snapshots_build
from ingestion.services.pending import pending_release_run
from journey.services.scoring import journey_score
from milestones.services.runs import run_inline


def daily_run_inline(*, as_of: date, rebuild: bool = False, scores: bool = True) -> dict[str, dict]:
    """Run the day's jobs here, one after the other; per job its summary, or {"skipped": why}. `rebuild`
    re-derives the milestones from the whole history; `scores=False` leaves the scores out."""
    report: dict[str, dict] = {}
    try:
        report["pending"] = pending_release_run()
    except LeaseHeld as held:
        report["pending"] = {"skipped": str(held)}
    try:
        report["milestones"] = run_inline(job="daily", as_of=as_of, rebuild=rebuild)
    except LeaseHeld as held:
        report["milestones"] = {"skipped": str(held)}
    try:
        report["ctas"] = ctas_generate(as_of=as_of).as_dict()
    except (LeaseHeld, NotAssessed) as reason:
        report["ctas"] = {"skipped": str(reason)}
    if scores:
        try:
            report["scores"] = journey_score(until=day_end(as_of)).as_dict()
        except LeaseHeld as held:
            report["scores"] = {"skipped": str(held)}
    try:
        report["analytics"] = snapshots_build(first=as_of, last=as_of)
    except LeaseHeld as held:
        report["analytics"] = {"skipped": str(held)}
    return report

"""Scores in templates: `{% load scores %}`, then `{{ hundredths|score }}` and `{{ change|signed_score }}`."""

from __future__ import annotations

from django import template

from journey.scoring.domain import score_text

register = template.Library()


@register.filter
def score(hundredths: int | None) -> str:
    """Integer hundredths as a score with two decimals, never rounded (199 reads 1.99, not 2.0)."""
    return "—" if hundredths is None else score_text(hundredths)


@register.filter
def signed_score(hundredths: int | None) -> str:
    """A change of score: +0.25, −1.00, ±0.00 (a true minus sign, so columns of changes read well)."""
    if hundredths is None:
        return "—"
    if hundredths == 0:
        return "±0.00"
    return ("+" if hundredths > 0 else "−") + score_text(abs(hundredths))

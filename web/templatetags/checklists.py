"""Checklist numbers as a customer reads them: shares as percentages, counts with thousands separators
(milestones/labels.py holds the rule, so the label, the value and the threshold agree)."""

from __future__ import annotations

from django import template

from core.conditions import Operator
from milestones.labels import is_share, number_text

register = template.Library()


@register.filter
def criterion_number(value: float | int | None, criterion) -> str:
    """A criterion's value or threshold in the criterion's unit ("12%", "1,000"); "—" for no value."""
    if value is None:
        return "—"
    return number_text(float(value), share=is_share(kind=criterion.kind, metric=criterion.metric))


@register.filter
def comparator_symbol(comparator: str) -> str:
    return Operator(comparator).label

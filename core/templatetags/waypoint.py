"""Template filters every page uses."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def minus(value: int, other: int) -> int:
    return value - other


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, key)


@register.filter
def health_class(health: int | None) -> str:
    """CSS class for a health score: below 40 is at risk, 70 and above is healthy."""
    if health is None:
        return ""
    if health < 40:
        return "health-low"
    return "health-mid" if health < 70 else "health-high"


@register.filter
def width_class(percent: float | int | None) -> str:
    """A bar's width as a class (w-0 … w-100, in waypoint.css): the Content Security Policy allows no inline
    style attribute, and whole percents are finer than a bar can show."""
    value = 0 if percent is None else max(0, min(100, round(float(percent))))
    return f"w-{value}"

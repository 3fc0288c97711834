from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def score(hundredths: int | None) -> str:
    """Integer hundredths as a score with two decimals, never rounded (199 reads 1.99, not 2.0)."""
    if hundredths is None:
        return "—"
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(int(hundredths)), 100)
    return f"{sign}{whole}.{cents:02d}"


@register.filter
def signed_score(hundredths: int | None) -> str:
    """A change of score: +0.25, −1.00, ±0.00 (a true minus sign, so columns of changes read well)."""
    if hundredths is None:
        return "—"
    if hundredths == 0:
        return "±0.00"
    return ("+" if hundredths > 0 else "−") + score(abs(hundredths))


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

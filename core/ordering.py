"""Rewriting ordered rows without tripping unique constraints mid-way.

Unique constraints are checked row by row, so swapping two orders in place fails. Rows are first parked on
values nobody holds, then moved to their targets; rows in the way that are not being placed go last."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Manager, Max, Model, QuerySet


def place_in_order(
    scope: QuerySet, field: str, targets: dict[int, int], *, parking: Iterable[int] = range(30000, 32767)
) -> None:
    """Give each row of `scope` whose pk is in `targets` the value `targets[pk]` of `field` (unique within
    `scope`). Rows of the scope not in `targets` that hold a target value are moved after the largest
    value. `parking` lists values the field accepts, some of them unused, for the rows in transit."""
    if not targets:
        return
    taken = set(scope.values_list(field, flat=True)) | set(targets.values())
    spare = (value for value in parking if value not in taken)
    for pk in targets:
        scope.filter(pk=pk).update(**{field: next(spare)})
    in_the_way = scope.exclude(pk__in=list(targets)).filter(**{f"{field}__in": set(targets.values())})
    top = max(scope.exclude(pk__in=list(targets)).aggregate(top=Max(field))["top"] or 0, *targets.values())
    for position, pk in enumerate(in_the_way.order_by(field).values_list("pk", flat=True), start=1):
        scope.filter(pk=pk).update(**{field: top + position})
    for pk, value in targets.items():
        scope.filter(pk=pk).update(**{field: value})


def next_free(scope: QuerySet[Any] | Manager[Any], field: str, desired: int) -> int:
    """`desired` when no row of `scope` holds it, else one past the largest value."""
    if not scope.filter(**{field: desired}).exists():
        return desired
    return (scope.aggregate(top=Max(field))["top"] or 0) + 1


def apply_values(instance: Model, values: dict) -> list[str]:
    """Set `values` on `instance`; returns the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed

"""Daily funnel snapshots: the chunks' cells, added up and written for the day in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from core.bulk import bulk_load
from milestones.models import CsmFunnelSnapshot, FunnelSnapshot

COUNTS = ["customers", "stuck", "churned", "health_total", "health_count"]


def _summed(cells: Iterable[list], key_size: int) -> dict[tuple, list[int]]:
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for cell in cells:
        key, counts = tuple(cell[:key_size]), cell[key_size:]
        totals[key] = [a + b for a, b in zip(totals[key], counts, strict=True)]
    return totals


@transaction.atomic
def snapshots_write(*, as_of: date, cells: Iterable[list], csm_cells: Iterable[list]) -> int:
    """Replace the day's snapshot rows with these cells (a rerun for the day rewrites the same rows).

    Cells are [position, milestone id, segment, plan, cohort (ISO date), *counts] and
    [position, milestone id, csm id, *counts], as the chunks return them."""
    funnel = [
        (as_of, position, milestone_id, segment, plan, date.fromisoformat(cohort), *counts)
        for (position, milestone_id, segment, plan, cohort), counts in _summed(cells, 5).items()
    ]
    by_csm = [
        (as_of, position, milestone_id, csm_id, *counts)
        for (position, milestone_id, csm_id), counts in _summed(csm_cells, 3).items()
    ]
    FunnelSnapshot.objects.filter(as_of=as_of).delete()
    CsmFunnelSnapshot.objects.filter(as_of=as_of).delete()
    written = bulk_load(
        FunnelSnapshot, ["as_of", "position", "milestone", "segment", "plan", "cohort", *COUNTS], funnel
    )
    written += bulk_load(CsmFunnelSnapshot, ["as_of", "position", "milestone", "csm", *COUNTS], by_csm)
    return written

"""Pages of long lists that stay fast however deep and however large the table:

- deferred join: a page first takes the ids of its rows alone (`ORDER BY … OFFSET … LIMIT`, which an index
  on the sort columns answers without visiting the rows), then loads those rows with their joins. A plain
  OFFSET would build every skipped row with its joins: page 3,000 of the companies read 75,000 of them.
- counts: an unfiltered list of a large table takes PostgreSQL's row estimate (`pg_class.reltuples`, kept
  by autovacuum) instead of COUNT(*); a filtered one counts at most COUNT_CAP rows and says "2,000+":
  past that, counting costs more than the page."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest

COUNT_CAP = 2_000  # rows counted exactly in a filtered list; past it, "2,000+" (80 pages of 25)
ESTIMATE_FROM = 50_000  # an unfiltered table this large takes the planner's estimate
DEFER_FROM = 1_000  # rows skipped from which a page loads its rows by id (shallower pages: one query)


class DeferredJoinPaginator(Paginator):
    """A Paginator whose pages load their rows by id (see the module docstring)."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or bottom < DEFER_FROM:
            return super().page(number)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = queryset.order_by().filter(pk__in=ids).in_bulk() if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class ListPaginator(DeferredJoinPaginator):
    """The pages of a list people browse. `whole_table`: the list is every row of its table (no filter),
    so the table's row estimate stands for the count on PostgreSQL. Otherwise the count stops at COUNT_CAP
    (`capped` then says so) and the pages beyond it are not offered: narrow with filters or search."""

    def __init__(self, *args, whole_table: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.whole_table = whole_table
        self.capped = False
        self.estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if self.whole_table:
            estimate = table_estimate(queryset)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                self.estimated = True
                return estimate
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.capped = True
            return COUNT_CAP
        return counted


def table_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of the queryset's table (None elsewhere, or never analysed)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def paginate(
    request: HttpRequest, queryset: QuerySet, *, per_page: int = 25, whole_table: bool = False
) -> tuple[Page, str]:
    """The requested page (out-of-range numbers give the last page) and the query string without `page`,
    so pagination links keep the filters."""
    page = ListPaginator(queryset, per_page, whole_table=whole_table).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()

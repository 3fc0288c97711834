from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = 25) -> tuple[Page, str]:
    """The requested page (out-of-range numbers give the last page) and the query string without `page`,
    so pagination links keep the filters."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()

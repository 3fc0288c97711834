"""The queue (a CSM's landing page): their CTAs, ranked by the visible priority, with the stuck accounts
that have none; managers pick any CSM's queue, everyone's, or the unassigned pool, reassign and deal the
pool round-robin. Bulk snooze, close and assign post one form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.days import today
from core.forms import row_id
from core.pagination import paginate
from ctas import rules, selectors
from ctas.services import lifecycle
from milestones.models import CTAType, FunnelSnapshot
from milestones.selectors import milestone_sequence
from web.cta_forms import BulkForm, CloseForm, SnoozeForm, first_error
from web.pages.ctas import _back, _message


def _manages(request: HttpRequest) -> bool:
    return request.user.sees_everyone


def _segments() -> list[str]:
    """The segments of the latest funnel snapshot (a few hundred rows, not a scan of every company)."""
    day = FunnelSnapshot.objects.aggregate(day=Max("as_of"))["day"]
    if day is None:
        return []
    return sorted(
        {
            s
            for s in FunnelSnapshot.objects.filter(as_of=day).values_list("segment", flat=True).distinct()
            if s
        }
    )


def _csm_options(csms: list, selected: int | None) -> str:
    """<option>s for every CSM, built here: a template loop over hundreds of CSMs costs more than the rest
    of the page."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((c.pk, mark_safe(" selected") if c.pk == selected else "", c.display_name) for c in csms),
    )


def queue(request: HttpRequest) -> HttpResponse:
    if request.user.role not in ("csm", "manager", "admin"):
        raise PermissionDenied
    manages = _manages(request)
    params = request.GET
    owner_param = params.get("owner", "all" if manages else "mine") if manages else "mine"
    filters = selectors.QueueFilters(
        owner=owner_param,
        cta_type=params.get("type", ""),
        milestone=params.get("milestone", ""),
        segment=params.get("segment", ""),
        overdue=params.get("overdue") == "1",
        search=params.get("q", "").strip()[:100],
        status=params.get("status", "open")
        if params.get("status") in ("open", "snoozed", "closed")
        else "open",
    )
    day = today()
    page, query_string = paginate(
        request, selectors.queue_ctas(user=request.user, filters=filters, today=day)
    )
    for cta in page.object_list:
        cta.can_act = selectors.cta_can_act(user=request.user, cta=cta)
    csm_choices = list(selectors.csms()) if manages else []
    owner = request.user
    if manages:
        owner = next((c for c in csm_choices if str(c.pk) == owner_param), None)
    stuck_count, stuck = (
        selectors.stuck_without_cta(user=request.user, owner=owner)
        if owner is not None and filters.status == "open"
        else (0, [])
    )
    return render(
        request,
        "web/ctas/queue.html",
        {
            "filters": filters,
            "page_obj": page,
            "query_string": query_string,
            "ctas_total": page.paginator.count,
            "counts": selectors.queue_counts(user=request.user, owner=owner, today=day) if owner else None,
            "pool_count": selectors.pool_count(user=request.user),
            "stuck": stuck,
            "stuck_count": stuck_count,
            "types": CTAType.objects.order_by("name"),
            "milestones": milestone_sequence(),
            "segments": _segments(),
            "csm_options": _csm_options(csm_choices, owner.pk if manages and owner else None),
            "assign_options": _csm_options(csm_choices, None),
            "selected_owner": owner,
            "manages": manages,
            "priority_text": rules.PRIORITY_TEXT,
            "snooze_form": SnoozeForm(),
            "close_form": CloseForm(),
            "today": day,
            "next": request.get_full_path(),
        },
    )


@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form) if form.data.getlist("ids") else "Select at least one CTA.")
        return _back(request)
    data = form.cleaned_data
    ids, plural = data["ids"], "s" if len(data["ids"]) != 1 else ""
    try:
        if data["action"] == "snooze":
            lifecycle.ctas_bulk_snooze(
                user=request.user, cta_ids=ids, until=data["until"], reason=data["reason"]
            )
            messages.success(request, f"{len(ids)} CTA{plural} snoozed until {data['until']:%b %-d, %Y}.")
        elif data["action"] == "close":
            lifecycle.ctas_bulk_close(
                user=request.user, cta_ids=ids, outcome=data["outcome"], note=data["note"]
            )
            messages.success(request, f"{len(ids)} CTA{plural} closed.")
        else:
            if not _manages(request):
                raise Http404
            owner_id = row_id(data["owner"])
            owner = selectors.csms().filter(pk=owner_id).first() if owner_id else None
            if data["owner"] and owner is None:
                raise ValidationError({"owner": "Choose an active CSM, or the pool."})
            lifecycle.ctas_bulk_assign(user=request.user, cta_ids=ids, owner=owner)
            who = owner.display_name if owner else "the pool"
            messages.success(request, f"{len(ids)} CTA{plural} assigned to {who}.")
    except ValidationError as error:
        messages.error(request, _message(error))
    return _back(request)


@require_POST
def queue_round_robin(request: HttpRequest) -> HttpResponse:
    if not _manages(request):
        raise Http404
    try:
        given = lifecycle.ctas_round_robin(user=request.user)
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("web:queue")
    total = sum(given.values())
    if total:
        messages.success(
            request, f"{total} CTA{'s' if total != 1 else ''} from the pool dealt to {len(given)} CSMs."
        )
    else:
        messages.success(request, "The pool is empty: nothing to assign.")
    return _back(request)

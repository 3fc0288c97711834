"""A CTA's page and what people do to one CTA (start, snooze, wake, close, assign, check off a task) or to
a company (open a CTA by hand). Plain POST forms that redirect back (no JavaScript needed); with HTMX, the
answer is the CTA's queue row, swapped in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from core.days import today
from core.forms import row_id
from ctas import selectors
from ctas.models import CTA
from ctas.services import lifecycle
from milestones.models import CTAType
from web.cta_forms import CloseForm, CreateForm, SnoozeForm, first_error
from web.selectors import company_get


def _back(request: HttpRequest, cta_id: int | None = None) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("web:cta_detail", args=[cta_id]) if cta_id else reverse("web:queue")
    return redirect(target)


def _message(error: ValidationError) -> str:
    return "; ".join(message for messages_ in error.message_dict.values() for message in messages_)


def answer(request: HttpRequest, cta_id: int, *, done: str = "", error: str = "") -> HttpResponse:
    """After an action: the CTA's queue row for HTMX, otherwise a message and a redirect back."""
    if request.htmx:
        cta = selectors.cta_get(user=request.user, cta_id=cta_id)
        return render(
            request,
            "web/ctas/_queue_row.html",
            {
                "cta": cta,
                "can_act": selectors.cta_can_act(user=request.user, cta=cta),
                "row_error": error,
                "row_done": done,
                "today": today(),
                "next": request.POST.get("next", ""),
            },
            status=200,
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return _back(request, cta_id)


def cta_detail(request: HttpRequest, cta_id: int) -> HttpResponse:
    try:
        cta = selectors.cta_get(user=request.user, cta_id=cta_id)
    except CTA.DoesNotExist:
        raise Http404("No such CTA.") from None
    manages = request.user.sees_everyone
    return render(
        request,
        "web/ctas/cta_detail.html",
        {
            "cta": cta,
            "can_act": selectors.cta_can_act(user=request.user, cta=cta),
            "history": selectors.cta_history(cta=cta),
            "priority_lines": selectors.priority_lines(cta),
            "snooze_form": SnoozeForm(),
            "close_form": CloseForm(),
            "csm_choices": selectors.csms() if manages else [],
            "today": today(),
            "next": request.get_full_path(),
        },
    )


def _act(request: HttpRequest, cta_id: int, action, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        return answer(request, cta_id, error=_message(error))
    return answer(request, cta_id, done=done)


def _refused(request: HttpRequest, cta_id: int, error: str) -> HttpResponse:
    """Invalid input: its error, for a CTA the user may act on; any other CTA is a 404, as valid input
    would find it."""
    selectors.cta_actionable_or_404(user=request.user, cta_id=cta_id)
    return answer(request, cta_id, error=error)


@require_POST
def cta_start(request: HttpRequest, cta_id: int) -> HttpResponse:
    return _act(request, cta_id, lambda: lifecycle.cta_start(user=request.user, cta_id=cta_id), "Started.")


@require_POST
def cta_wake(request: HttpRequest, cta_id: int) -> HttpResponse:
    return _act(request, cta_id, lambda: lifecycle.cta_wake(user=request.user, cta_id=cta_id), "Woken up.")


@require_POST
def cta_snooze(request: HttpRequest, cta_id: int) -> HttpResponse:
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _refused(request, cta_id, first_error(form))
    data = form.cleaned_data
    return _act(
        request,
        cta_id,
        lambda: lifecycle.cta_snooze(
            user=request.user, cta_id=cta_id, until=data["until"], reason=data["reason"]
        ),
        f"Snoozed until {data['until']:%b %-d, %Y}.",
    )


@require_POST
def cta_close(request: HttpRequest, cta_id: int) -> HttpResponse:
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _refused(request, cta_id, first_error(form))
    data = form.cleaned_data
    return _act(
        request,
        cta_id,
        lambda: lifecycle.cta_close(
            user=request.user, cta_id=cta_id, outcome=data["outcome"], note=data["note"]
        ),
        f"Closed: {dict(CTA.Outcome.choices)[data['outcome']].lower()}.",
    )


@require_POST
def cta_task(request: HttpRequest, cta_id: int) -> HttpResponse:
    """Check a task off (`done=<task id>`) or reopen it (`undo=<task id>`): one form per CTA, one button per
    task."""
    done = "done" in request.POST
    task_id = row_id(request.POST.get("done" if done else "undo", ""))
    if task_id is None:
        return _refused(request, cta_id, "Choose a task.")
    return _act(
        request,
        cta_id,
        lambda: lifecycle.cta_task_set(user=request.user, cta_id=cta_id, task_id=task_id, done=done),
        "Task checked off." if done else "Task reopened.",
    )


@require_POST
def cta_assign(request: HttpRequest, cta_id: int) -> HttpResponse:
    if not request.user.sees_everyone:
        raise Http404("No such CTA.")
    value = request.POST.get("owner", "")
    owner_id = row_id(value)
    owner = selectors.csms().filter(pk=owner_id).first() if owner_id else None
    if value and owner is None:
        return _refused(request, cta_id, "Choose an active CSM, or the pool.")
    return _act(
        request,
        cta_id,
        lambda: lifecycle.cta_assign(user=request.user, cta_id=cta_id, owner=owner),
        f"Assigned to {owner.display_name}." if owner else "Back in the pool.",
    )


@require_POST
def cta_create(request: HttpRequest, external_id: str) -> HttpResponse:
    company = company_get(user=request.user, external_id=external_id)
    form = CreateForm(request.POST)
    page = company.get_absolute_url() + "#ctas"
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(page)
    data = form.cleaned_data
    owner: User | None = None
    try:
        cta = lifecycle.cta_create(
            user=request.user,
            company=company,
            cta_type=data["cta_type"],
            due_on=data["due_on"],
            reason=data["reason"],
            tasks=data["tasks"].splitlines(),
            owner=owner,
        )
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect(page)
    messages.success(request, f"{cta.cta_type.name} opened for {company.name}.")
    return redirect(page)


def company_ctas_context(*, user: User, company) -> dict:
    """What the company page's CTA section (web/ctas/_company_ctas.html) needs."""
    return {
        "company_ctas": selectors.company_ctas(user=user, company=company),
        "cta_types": CTAType.objects.order_by("name"),
        "cta_can_open": user.role is not None,  # anyone who sees the company (the service checks again)
        "today": today(),
    }

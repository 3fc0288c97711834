"""Writes to companies, contacts and metric values (the REST API; admin edits them through its forms). Each
is the request's one transaction (durable: nesting it in another fails loudly), so the API answers 2xx only
after the commit.

Each write runs the model's full validation, constraints included, so a request that breaks a rule gets a
ValidationError (a 400 in the API), never an IntegrityError."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from companies.models import Company, Contact, MetricValue
from core.bulk import bulk_upsert

_M = TypeVar("_M", bound=models.Model)


@transaction.atomic(durable=True)
def company_create(**fields) -> Company:
    """A company from the API's fields (external_id, name, domain, lifecycle, customer_since, churned_on,
    csm, segment, plan, mrr)."""
    return _save(Company(**fields))


@transaction.atomic(durable=True)
def company_update(*, company: Company, **fields) -> Company:
    return _save(company, **fields)


@transaction.atomic(durable=True)
def contact_create(**fields) -> Contact:
    return _save(Contact(**fields))


@transaction.atomic(durable=True)
def contact_update(*, contact: Contact, **fields) -> Contact:
    return _save(contact, **fields)


def _save(instance: _M, **fields) -> _M:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Another request took the same external id (or email) between the check and the write: validate
        # again, for the message of the rule that now fails.
        instance.full_clean()
        raise
    return instance


def metric_values_upsert(*, values: Iterable[tuple[int, str, date, float]]) -> int:
    """Store (company id, metric, day, value) readings; a reading for a company, metric and day already
    stored replaces it. Within one call the last reading of a day wins. Returns how many were written."""
    latest = {(company_id, metric, day): value for company_id, metric, day, value in values}
    now = timezone.now()
    rows = [(company_id, metric, day, value, now) for (company_id, metric, day), value in latest.items()]
    with transaction.atomic(durable=True):
        bulk_upsert(
            MetricValue,
            ["company", "metric", "date", "value", "recorded_at"],
            rows,
            conflict=["company", "metric", "date"],
            update=["value", "recorded_at"],
        )
    return len(rows)

from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction

from companies.models import Event, MetricValue
from core.bulk import bulk_load, indexes_deferred
from journey.templatetags.scores import score
from tests.factories import CompanyFactory, EventFactory, EventTypeFactory

pytestmark = pytest.mark.django_db


def test_bulk_load_stores_values_as_the_orm_reads_them():
    company = CompanyFactory()
    event_type = EventTypeFactory(name="deal_won")
    moment = datetime(2026, 3, 2, 23, 30, 15, 123456, tzinfo=UTC)
    rows = [
        (company.pk, event_type.pk, moment, "bulk", f"m-{n}", {"amount": n, "name": "é"}) for n in range(3)
    ]
    with transaction.atomic():
        count = bulk_load(
            Event, ["company", "type", "occurred_at", "source", "message_id", "properties"], rows
        )
    assert count == 3
    event = Event.objects.get(message_id="m-2")
    assert event.occurred_at == moment
    assert event.properties == {"amount": 2, "name": "é"}
    assert event.received_at is not None  # the database default filled it
    assert Event.objects.filter(occurred_at__date=date(2026, 3, 2)).count() == 3
    with transaction.atomic():
        bulk_load(
            MetricValue,
            ["company", "metric", "date", "value"],
            [(company.pk, "monthly_visits", date(2026, 3, 2), 1.5)],
        )
    assert MetricValue.objects.get().value == 1.5


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="index deferral is a PostgreSQL bulk-load technique"
)
def test_deferred_indexes_come_back_exactly():
    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'companies_event' ORDER BY indexname"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'companies_event'::regclass ORDER BY conname"
            )
            return indexes, cursor.fetchall()

    before = definitions()
    company = CompanyFactory()
    event_type = EventTypeFactory()
    with transaction.atomic(), indexes_deferred(Event):
        assert len(definitions()[0]) == 1  # only the primary key is left while loading
        bulk_load(
            Event,
            ["company", "type", "occurred_at", "source", "message_id", "properties"],
            [(company.pk, event_type.pk, datetime(2026, 1, 1, tzinfo=UTC), "s", "m", {})],
        )
    assert definitions() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="transactional DDL is PostgreSQL's")
def test_a_failed_load_keeps_the_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'companies_event'")
        before = cursor.fetchone()[0]
    with pytest.raises(RuntimeError), transaction.atomic(), indexes_deferred(Event):
        raise RuntimeError("killed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'companies_event'")
        assert cursor.fetchone()[0] == before


@pytest.mark.django_db(transaction=True)
def test_indexes_deferred_refuses_to_run_outside_a_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("no-op outside PostgreSQL")
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"), indexes_deferred(Event):
        pass


@pytest.mark.parametrize(
    ("hundredths", "text"), [(0, "0.00"), (199, "1.99"), (200, "2.00"), (1000, "10.00"), (5, "0.05")]
)
def test_scores_are_shown_exactly(hundredths, text):
    assert score(hundredths) == text


def test_admin_counts_stay_exact_for_small_results(django_assert_max_num_queries):
    from core.admin import EstimatedCountPaginator

    company = CompanyFactory()
    for n in range(3):
        EventFactory(company=company, message_id=f"c-{n}")
    paginator = EstimatedCountPaginator(Event.objects.filter(company=company).order_by("-id"), 100)
    assert paginator.count == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's planner")
def test_admin_counts_use_the_planner_estimate_for_large_results(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from core import admin as core_admin

    monkeypatch.setattr(core_admin, "ESTIMATE_ABOVE", -1)  # treat every result as large
    EventFactory()
    with CaptureQueriesContext(connection) as queries:
        count = core_admin.EstimatedCountPaginator(Event.objects.order_by("-id"), 100).count
    assert isinstance(count, int)
    assert [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()] == []
    assert any(q["sql"].startswith("EXPLAIN") for q in queries.captured_queries)


def test_raw_rows_of_a_query_django_knows_is_empty_are_none():
    from core.queries import raw_rows

    EventFactory()
    assert list(raw_rows(Event.objects.filter(type_id__in=[]).values_list("id"))) == []
    assert len(list(raw_rows(Event.objects.values_list("id")))) == 1

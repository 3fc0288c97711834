"""A property condition means the same in SQL (checklist counts) and in Python (the scoring replay)."""

import pytest

from companies.models import Event
from core.conditions import Condition
from tests.factories import CompanyFactory, EventFactory

PROPERTIES = [
    {"completion": 0.61},
    {"completion": 0.6},
    {"completion": 1},
    {"completion": "0.9"},  # a string that looks like a number: not a number
    {"completion": True},  # a boolean is not the number 1
    {"completion": None},
    {},
    {"webinar_type": "product"},
    {"webinar_type": "industry"},
    {"webinar_type": 7},
    {"other": "x", "completion": -2},
]
CONDITIONS = [
    Condition("completion", "gt", "0.6"),
    Condition("completion", "gte", "0.6"),
    Condition("completion", "lt", "1"),
    Condition("completion", "lte", "1"),
    Condition("completion", "eq", "1"),
    Condition("completion", "ne", "1"),
    Condition("webinar_type", "eq", "product"),
    Condition("webinar_type", "ne", "product"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: f"{c.key}-{c.operator}-{c.value}")
def test_sql_and_python_agree(condition):
    company = CompanyFactory()
    for index, properties in enumerate(PROPERTIES):
        EventFactory(company=company, message_id=f"p-{index}", properties=properties)
    in_sql = set(Event.objects.filter(condition.as_q()).values_list("message_id", flat=True))
    in_python = {f"p-{index}" for index, properties in enumerate(PROPERTIES) if condition.matches(properties)}
    assert in_sql == in_python


def test_the_documented_cases():
    assert Condition("completion", "gt", "0.6").matches({"completion": 0.61})
    assert not Condition("completion", "gt", "0.6").matches({"completion": "0.9"})
    assert not Condition("completion", "eq", "1").matches({"completion": True})
    assert Condition("webinar_type", "ne", "product").matches({"webinar_type": "industry"})
    assert not Condition("webinar_type", "ne", "product").matches({})  # absent is not "different"

"""Comparisons, and a condition on one event property, shared by checklist criteria and scoring rules.

One vocabulary of operators (Operator): checklist criteria compare a count, ratio or metric with their
threshold with it, and property conditions compare an event property with their value.

Semantics (the same in SQL and in Python): the property is read from the top level of the event's
properties. A value that reads as a number is compared with JSON numbers only ("0.6" matches 0.61, not the
string "0.61"); any other value is compared as text with JSON strings only, and only with = and ≠."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import CharField, F, FloatField, Func, Q, lookups

PROPERTY_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class Operator(models.TextChoices):
    EQ = "eq", "="
    NE = "ne", "≠"
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"


ORDERING_OPERATORS = {Operator.GT, Operator.GTE, Operator.LT, Operator.LTE}

# `value <operator> other`, in Python.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
    Operator.GT: operator.gt,
    Operator.GTE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LTE: operator.le,
}
# The same with the operands swapped, so that partial(SWAPPED[op], threshold)(value) is
# `value <op> threshold` as one C-level call (hot loops bind the threshold once).
SWAPPED: dict[str, Callable[[Any, Any], bool]] = {
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
    Operator.GT: operator.lt,
    Operator.GTE: operator.le,
    Operator.LT: operator.gt,
    Operator.LTE: operator.ge,
}


def parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


class PropertyCondition(models.Model):
    """Optional `properties[key] <operator> value` on the events a rule or criterion counts."""

    property_key = models.CharField(
        max_length=100, blank=True, help_text="Optional: an event property the counted events must satisfy."
    )
    property_operator = models.CharField(max_length=3, choices=Operator.choices, blank=True)
    property_value = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def property_condition(self) -> Condition | None:
        if not self.property_key:
            return None
        return Condition(self.property_key, self.property_operator, self.property_value)

    def property_condition_label(self) -> str:
        if not self.property_key:
            return ""
        return f"{self.property_key} {Operator(self.property_operator).label} {self.property_value}"

    def clean_property_condition(self) -> dict[str, str]:
        """Field errors for the condition (empty when valid); models merge them into their clean()."""
        errors: dict[str, str] = {}
        if not self.property_key:
            if self.property_operator or self.property_value:
                errors["property_key"] = "Name the property the condition applies to, or clear the condition."
            return errors
        if not PROPERTY_KEY.match(self.property_key):
            errors["property_key"] = "Use letters, digits, '_', '.' or '-' (a top-level property name)."
        if not self.property_operator:
            errors["property_operator"] = "Choose how the property is compared."
        elif self.property_operator in ORDERING_OPERATORS and parse_number(self.property_value) is None:
            errors["property_value"] = (
                f"'{self.property_value}' is not a number; >, ≥, < and ≤ compare numbers."
            )
        return errors


# --- Matching: the same semantics in SQL and in Python ------------------------------------------------------


class _TypedJSONKey(Func):
    """A top-level key of a JSON column when its JSON type is the expected one, else NULL."""

    postgresql_type = ""  # jsonb_typeof
    sqlite_types: tuple[str, ...] = ()  # json_type
    postgresql_cast = ""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(F(field))
        self.key = key

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        value = f"({column} ->> %s){self.postgresql_cast}"
        sql = f"CASE WHEN jsonb_typeof({column} -> %s) = '{self.postgresql_type}' THEN {value} END"
        return sql, (*params, self.key, *params, self.key)

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        path = _json_path(self.key)
        types = ", ".join(f"'{name}'" for name in self.sqlite_types)
        sql = f"CASE WHEN json_type({column}, %s) IN ({types}) THEN json_extract({column}, %s) END"
        return sql, (*params, path, *params, path)


class JSONNumber(_TypedJSONKey):
    """The key as a number when it is a JSON number. (Comparing jsonb values directly would order every
    string after every number: "0.1" > 0.6.)"""

    output_field = FloatField()
    postgresql_type, sqlite_types, postgresql_cast = "number", ("integer", "real"), "::double precision"


class JSONText(_TypedJSONKey):
    """The key as text when it is a JSON string."""

    output_field = CharField()
    postgresql_type, sqlite_types = "string", ("text",)


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


_LOOKUPS = {
    Operator.EQ: lookups.Exact,
    Operator.GT: lookups.GreaterThan,
    Operator.GTE: lookups.GreaterThanOrEqual,
    Operator.LT: lookups.LessThan,
    Operator.LTE: lookups.LessThanOrEqual,
}


@dataclass(frozen=True)
class Condition:
    """`properties[key] <operator> value`, as plain data."""

    key: str
    operator: str
    value: str

    @property
    def number(self) -> float | None:
        return parse_number(self.value)

    def as_q(self, field: str = "properties") -> Q:
        """The condition as a filter on a JSON column."""
        number = self.number
        accessor = JSONNumber(field, self.key) if number is not None else JSONText(field, self.key)
        target = number if number is not None else self.value
        if self.operator == Operator.NE:
            # "≠" needs the property present with the right type: a missing key is not "different".
            return Q(lookups.IsNull(accessor, False)) & ~Q(lookups.Exact(accessor, target))
        return Q(_LOOKUPS[Operator(self.operator)](accessor, target))

    def matches(self, properties: dict) -> bool:
        """The same test in Python (the scoring engine replays events without the database)."""
        value = properties.get(self.key) if isinstance(properties, dict) else None
        number = self.number
        if number is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            return COMPARE[Operator(self.operator)](value, number)
        if not isinstance(value, str) or self.operator not in (Operator.EQ, Operator.NE):
            return False
        return COMPARE[Operator(self.operator)](value, self.value)

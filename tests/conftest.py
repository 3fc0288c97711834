"""Shared fixtures: a fixed cast of users (healthchecks' alice/bob/charlie idea), so every test can check
who may see what, and the default methodology on demand."""

from __future__ import annotations

import io

import pytest

from accounts.roles import Role
from tests.factories import UserFactory
from tests.funnel.population import population  # noqa: F401 - the analytics' hand-built population


@pytest.fixture
def csm(db):
    """Alice, a CSM."""
    return UserFactory(username="alice", first_name="Alice", last_name="Costa", role=Role.CSM)


@pytest.fixture
def other_csm(db):
    """Bob, another CSM: must never see Alice's companies."""
    return UserFactory(username="bob", first_name="Bob", last_name="Silva", role=Role.CSM)


@pytest.fixture
def manager(db):
    return UserFactory(username="carol", first_name="Carol", last_name="King", role=Role.MANAGER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="dave", first_name="Dave", last_name="Admin", role=Role.ADMIN)


@pytest.fixture
def nobody(db):
    """A user with no role."""
    return UserFactory(username="erin")


@pytest.fixture
def methodology(db):
    """The default methodology of DESIGN §9, installed as `load_methodology` does."""
    from django.core.management import call_command

    call_command("load_methodology", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _commit_caches():
    """What the app caches once a transaction commits (event type ids, the session's staging tables) is
    forgotten between tests: tests roll back, even when they run on-commit callbacks by hand."""
    from django.db import connection

    from ingestion.services.events import event_types_forget
    from ingestion.services.write_keys import write_keys_forget

    event_types_forget()
    write_keys_forget()
    connection._waypoint_stages = None
    yield
    event_types_forget()
    write_keys_forget()
    connection._waypoint_stages = None


# The CTA world (two milestones, a 30-day stuck rule with a playbook, a day travel), for tests/ctas and
# tests/web alike.
from tests.ctas.helpers import ebr, stuck_rule, time_machine_today, two_milestones  # noqa: E402, F401

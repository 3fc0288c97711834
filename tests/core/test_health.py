import socket
from unittest import mock

import pytest
from celery import Celery
from django.db import OperationalError


@pytest.fixture
def broker_down(settings, monkeypatch):
    """A configured broker that is not there: Redis on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # A separate app: changing the shared one's broker would leave its cached connection pool pointing at
    # the dead port for the worker tests that run after this one in the same process.
    monkeypatch.setattr(
        "core.health.current_app", Celery(broker=f"redis://127.0.0.1:{port}/0", set_as_current=False)
    )


@pytest.mark.django_db
class TestProbes:
    def test_liveness_touches_nothing(self, client):
        with mock.patch("core.health.check_database", side_effect=AssertionError("must not be called")):
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_ready_when_database_and_migrations_are_fine(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
        }

    def test_not_ready_when_the_database_is_down(self, client):
        with mock.patch(
            "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
        ):
            response = client.get("/readyz")
        body = response.json()
        assert response.status_code == 503
        assert body["status"] == "not_ready"
        assert body["checks"]["database"] == "unreachable (OperationalError)"
        assert body["checks"]["migrations"] == "skipped (database unreachable)"

    def test_not_ready_when_migrations_are_missing(self, client):
        with mock.patch(
            "django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[1, 2]
        ):
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == "2 migration(s) not applied"

    def test_a_broker_outage_leaves_the_web_tier_ready_and_says_so(self, client, broker_down):
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ready"
        assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
        assert body["checks"]["broker"].startswith("unreachable (")

    def test_the_full_check_counts_the_broker(self, client, broker_down):
        response = client.get("/readyz?full=1")
        assert response.status_code == 503
        assert response.json()["status"] == "not_ready"
        assert response.json()["checks"]["broker"].startswith("unreachable (")

    def test_the_full_check_is_ready_when_everything_is(self, client):
        response = client.get("/readyz?full=1")
        assert response.status_code == 200 and response.json()["checks"]["broker"] == "ok"

    def test_the_database_still_decides_without_full(self, client, broker_down):
        with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[1]):
            assert client.get("/readyz").status_code == 503

    def test_probes_carry_a_request_id(self, client):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")
        assert response["X-Request-ID"] == "lb-1234abcd"
        assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"]) == 32

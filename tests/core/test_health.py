from unittest import mock

import pytest
from django.db import OperationalError


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

    def test_not_ready_when_a_configured_broker_is_unreachable(self, client, settings):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        with mock.patch("config.celery.app.connection_for_write", side_effect=ConnectionRefusedError()):
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["broker"] == "unreachable (ConnectionRefusedError)"

    def test_probes_carry_a_request_id(self, client):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")
        assert response["X-Request-ID"] == "lb-1234abcd"
        assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"]) == 32

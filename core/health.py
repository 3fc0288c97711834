"""Readiness checks: each returns None when healthy or a short reason (no secrets, no stack traces)."""

from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"unreachable ({type(exc).__name__})"
    return None


def check_migrations() -> str | None:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"cannot read migration state ({type(exc).__name__})"
    if plan:
        return f"{len(plan)} migration(s) not applied"
    return None


def check_broker() -> str | None:
    """Only when a broker is configured: with none, tasks run in-process and there is nothing to reach."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"
    return None


CHECKS = {"database": check_database, "migrations": check_migrations, "broker": check_broker}


def readiness() -> dict[str, str]:
    """Runs every check; the database check goes first because the migration check needs it."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "skipped (database unreachable)"
            continue
        problem = check()
        results[name] = problem or "ok"
    return results

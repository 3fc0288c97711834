"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("W_BOOL", "yes")
    monkeypatch.setenv("W_INT", "12")
    monkeypatch.setenv("W_LIST", "a.example, b.example,")
    assert env_bool("W_BOOL", False) is True
    assert env_int("W_INT", 0) == 12
    assert env_list("W_LIST", []) == ["a.example", "b.example"]
    assert env_str("W_MISSING", "fallback") == "fallback"


@pytest.mark.parametrize(
    ("name", "value", "reader"), [("W_BOOL", "maybe", env_bool), ("W_INT", "ten", env_int)]
)
def test_unreadable_values_are_refused(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader(name, 0)


def test_a_required_value_must_be_set(monkeypatch):
    monkeypatch.delenv("W_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="W_REQUIRED"):
        env_str("W_REQUIRED")


def _load(settings_module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='{settings_module}'; "
            "django.setup(); from django.conf import settings; print(settings.TIME_ZONE, settings.DEBUG)",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load("config.settings.production", ALLOWED_HOSTS="waypoint.example")
    assert result.returncode != 0 and "Set the environment variable SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _load("config.settings.production", SECRET_KEY="short", ALLOWED_HOSTS="waypoint.example")
    assert result.returncode != 0 and "at least 50" in result.stderr


def test_the_workspace_time_zone_is_validated():
    assert _load("config.settings.dev", WAYPOINT_TIME_ZONE="America/Sao_Paulo").stdout.split() == [
        "America/Sao_Paulo",
        "True",
    ]
    bad = _load("config.settings.dev", WAYPOINT_TIME_ZONE="Mars/Olympus")
    assert bad.returncode != 0 and "not an IANA time zone" in bad.stderr

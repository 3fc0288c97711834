"""Production logs: one JSON object per line, carrying the request id."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings


@pytest.fixture
def json_log():
    config = {**settings.LOGGING, "disable_existing_loggers": False}
    config["handlers"] = {
        "console": {
            **settings.LOGGING["handlers"]["console"],
            "formatter": "json",
            "class": "logging.StreamHandler",
        }
    }
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    config["root"] = {"handlers": ["console"], "level": "INFO"}
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_id(client, json_log):
    client.get("/healthz", HTTP_X_REQUEST_ID="req-12345678")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    request_lines = [line for line in lines if line["logger"] == "waypoint.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "INFO"
    assert line["path"] == "/healthz" and line["status"] == 200 and line["method"] == "GET"
    assert "duration_ms" in line and "time" in line

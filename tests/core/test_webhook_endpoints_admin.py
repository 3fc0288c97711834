"""Webhook endpoints are checked when they are saved, in admin, with the same rule as at send time: an
endpoint on a private, loopback, link-local or otherwise non-public address is refused with its reason."""

import socket

import pytest
from django.urls import reverse

from core.models import WebhookEndpoint, webhook_secret_new

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo
NAMES = {"intranet.example.com": "10.20.30.40", "rebind.example.com": "169.254.169.254"}


@pytest.fixture(autouse=True)
def _production_rule(settings, monkeypatch):
    settings.WAYPOINT_WEBHOOK_ALLOW_PRIVATE = False

    def getaddrinfo(host, port, *args, **kwargs):  # a resolver that knows the test's names, offline
        if host in NAMES:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (NAMES[host], port))]
        if host == "hooks.crm.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _add(client, url):
    data = {"url": url, "description": "", "secret": webhook_secret_new(), "is_active": "on"}
    return client.post(reverse("admin:core_webhookendpoint_add"), data)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hook", "127.0.0.1 resolves to a private address"),
        ("https://10.0.0.7/hook", "10.0.0.7 resolves to a private address"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 resolves to a private address"),
        ("https://[::1]/hook", "::1 resolves to a private address"),
        ("https://0.0.0.0/hook", "0.0.0.0 resolves to a private address"),
        ("https://224.0.0.5/hook", "224.0.0.5 resolves to a private address"),
        ("https://localhost/hook", "localhost resolves to a private address"),
        ("https://intranet.example.com/hook", "intranet.example.com resolves to a private address"),
        ("https://rebind.example.com/hook", "rebind.example.com resolves to a private address"),
        ("http://hooks.crm.example/hook", "only https URLs are called"),
    ],
)
def test_admin_refuses_an_endpoint_waypoint_would_not_call(client, admin_user, url, reason):
    client.force_login(admin_user)
    response = _add(client, url)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["url"]
    assert errors == [f"Waypoint will not call this URL: {reason}."]
    assert not WebhookEndpoint.objects.exists()


def test_admin_saves_a_public_https_endpoint(client, admin_user):
    client.force_login(admin_user)
    response = _add(client, "https://hooks.crm.example/waypoint")
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "https://hooks.crm.example/waypoint"


def test_editing_an_endpoint_onto_a_private_address_is_refused(client, admin_user):
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.crm.example/waypoint")
    client.force_login(admin_user)
    data = {"url": "https://10.1.1.1/x", "description": "", "secret": endpoint.secret, "is_active": "on"}
    response = client.post(reverse("admin:core_webhookendpoint_change", args=[endpoint.pk]), data)
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.crm.example/waypoint"

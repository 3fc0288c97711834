"""Deny by default: every route of the project, found by walking the URL resolver, needs a login, except
an explicit allowlist. A page added later without protection fails this test."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

# Routes anyone may call: logging in, setting a new password by email, and the load balancer's probes.
PUBLIC = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "healthz",
    "readyz",
}
# Routes that take a write key instead of a login (Segment-compatible ingestion): a stranger's POST is a 401.
KEYED = {"segment": {"kind": "batch"}}


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django admin has its own login; checked below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _sample_kwargs(pattern: URLPattern) -> dict:
    kwargs = {}
    for name, converter in getattr(pattern.pattern, "converters", {}).items():
        if isinstance(converter, IntConverter):
            kwargs[name] = 1
        elif isinstance(converter, UUIDConverter):
            kwargs[name] = uuid.uuid4()
        else:
            kwargs[name] = "co-00001"
    return kwargs


ROUTES = sorted(_named_routes(), key=lambda item: item[0])


def test_the_walk_finds_the_pages():
    names = {name for name, _ in ROUTES}
    assert {"web:home", "web:company_list", "web:funnel", "web:queue"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_needs_a_login(client, name, pattern):
    if name in KEYED:
        response = client.post(reverse(name, kwargs=KEYED[name]), {}, content_type="application/json")
        assert response.status_code == 401
        return
    url = reverse(name, kwargs=_sample_kwargs(pattern))
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code in (200, 503)
    else:
        assert response.status_code in (302, 401, 403), f"{url} answered {response.status_code} to a stranger"
        if response.status_code == 302:
            assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_django_admin_needs_a_staff_login(client, csm):
    response = client.get(reverse("admin:companies_company_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(csm)  # logged in, but not staff
    response = client.get(reverse("admin:companies_company_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url

"""Security headers: a strict Content Security Policy on every page, relaxed for inline styles on the API
docs only; `Cache-Control: private, no-store` on what signed-in users get; the API docs load nothing from
another server."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import CompanyFactory

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


class _Assets(HTMLParser):
    """Every URL a page loads (scripts, styles, icons, images) and any inline script or style it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.inline.append(f"event handler on <{tag}>")
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            elif attrs.get("type") != "application/json":  # json_script's data is never run
                self._in = "script"
        elif tag == "style":
            self._in = "style"
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])

    def handle_data(self, data):
        if self._in and data.strip():
            self.inline.append(f"inline <{self._in}>")

    def handle_endtag(self, tag):
        self._in = None


def _assets(response) -> _Assets:
    parser = _Assets()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.django_db
class TestContentSecurityPolicy:
    def test_pages_carry_the_strict_policy(self, client, manager):
        assert _policy(client.get(reverse("accounts:login"))).items() >= STRICT.items()
        client.force_login(manager)
        assert _policy(client.get(reverse("web:funnel"))).items() >= STRICT.items()

    @pytest.mark.parametrize(
        "name", ["web:funnel", "web:company_list", "web:portal", "accounts:notifications", "accounts:login"]
    )
    def test_pages_hold_no_inline_script_or_style(self, client, manager, methodology, name):
        if name != "accounts:login":
            client.force_login(manager)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert _assets(response).inline == []

    def test_the_company_page_holds_no_inline_style(self, client, manager, methodology):
        company = CompanyFactory(lifecycle="customer")
        client.force_login(manager)
        response = client.get(reverse("web:company_detail", args=[company.external_id]))
        assert response.status_code == 200
        assert _assets(response).inline == []

    def test_templates_hold_no_style_attribute(self):
        """Any page, including those the tests above do not render."""
        offenders = [
            str(path.relative_to(settings.BASE_DIR))
            for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
            if re.search(r"\sstyle=|<script>|<style>", path.read_text())
        ]
        assert offenders == []

    def test_the_api_docs_allow_inline_styles_and_nothing_more(self, client, csm):
        client.force_login(csm)
        for url in ("/api/docs/", "/api/redoc/"):
            policy = _policy(client.get(url))
            assert policy["style-src"] == "'self' 'unsafe-inline'"
            assert policy["script-src"] == "'self'"

    def test_admin_carries_the_policy(self, client, admin_user):
        client.force_login(admin_user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        assert _policy(response).items() >= STRICT.items()


@pytest.mark.django_db
class TestApiDocsOffline:
    @pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
    def test_the_docs_load_only_files_of_this_server(self, client, csm, url):
        client.force_login(csm)
        response = client.get(url)
        assert response.status_code == 200
        assets = _assets(response)
        assert assets.urls, "the page loads its UI"
        for asset in assets.urls:
            assert asset.startswith(("/static/", "/api/")), asset
            if asset.startswith("/static/"):
                assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a shipped file"
        assert b"cdn." not in response.content and b"googleapis" not in response.content

    def test_swagger_ui_s_start_script_is_a_file_of_its_own(self, client, csm):
        client.force_login(csm)
        script = client.get("/api/docs/?script=")
        assert script.status_code == 200
        assert script["Content-Type"].startswith("application/javascript")
        assert b"/api/schema/" in script.content

    def test_redoc_needs_a_login(self, client):
        response = client.get("/api/redoc/")
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
class TestPrivateCaching:
    def test_signed_in_pages_are_not_stored(self, client, manager):
        client.force_login(manager)
        assert client.get(reverse("web:funnel"))["Cache-Control"] == "private, no-store"

    def test_api_answers_to_a_token_are_not_stored(self, client, csm):
        from accounts.services import api_token_create

        _, secret = api_token_create(user=csm, name="t")
        response = client.get("/api/v1/companies/", HTTP_AUTHORIZATION=f"Token {secret}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"

    def test_pages_for_strangers_are_left_alone(self, client):
        response = client.get(reverse("accounts:password_reset_done"))
        assert response.status_code == 200 and not response.has_header("Cache-Control")

    def test_an_explicit_cache_control_is_kept(self, client, manager):
        client.force_login(manager)
        response = client.get("/healthz")  # never_cache
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

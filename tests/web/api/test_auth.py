"""Tokens: who gets in, what a refusal looks like, and how tokens are made, used and revoked."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create
from core.secrets import secret_digest
from tests.web.api.conftest import token_client

pytestmark = pytest.mark.django_db

COMPANIES = "/api/v1/companies/"


class TestRefusals:
    def test_no_credentials_is_a_401_in_json(self):
        response = APIClient().get(COMPANIES)
        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
        assert response["WWW-Authenticate"] == "Token"

    def test_an_unknown_token_is_a_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token wpt_not-a-real-token")
        response = client.get(COMPANIES)
        assert response.status_code == 401
        assert response.json() == {"code": "authentication_failed", "message": "Invalid token."}

    def test_a_malformed_header_is_a_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token two parts")
        response = client.get(COMPANIES)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"

    def test_a_revoked_token_is_a_401(self, csm):
        token, secret = api_token_create(user=csm, name="old")
        token.revoked_at = timezone.now()
        token.save()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        response = client.get(COMPANIES)
        assert response.status_code == 401
        assert response.json() == {"code": "authentication_failed", "message": "This token was revoked."}

    def test_a_deactivated_users_token_is_a_401(self, csm):
        client = token_client(csm)
        csm.is_active = False
        csm.save()
        assert client.get(COMPANIES).status_code == 401

    def test_a_user_without_a_role_is_a_403(self, nobody):
        response = token_client(nobody).get(COMPANIES)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_writes_need_credentials_too(self):
        response = APIClient().post("/api/v1/events/", {"company": "x", "event": "y"}, format="json")
        assert response.status_code == 401


class TestTokens:
    def test_only_the_digest_is_stored(self, csm):
        token, secret = api_token_create(user=csm, name="CRM sync")
        assert secret.startswith("wpt_")
        assert token.digest == secret_digest(secret)
        assert token.prefix == secret[:12]
        assert secret not in str(ApiToken.objects.values_list().get())

    def test_last_use_is_recorded_at_most_once_a_minute(self, csm, django_assert_num_queries):
        token, secret = api_token_create(user=csm, name="script")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        with freeze_time("2026-03-02 10:00:00"):
            client.get(COMPANIES)
        token.refresh_from_db()
        assert token.last_used_at.isoformat() == "2026-03-02T10:00:00+00:00"
        with freeze_time("2026-03-02 10:00:59"):
            client.get(COMPANIES)
        token.refresh_from_db()
        assert token.last_used_at.isoformat() == "2026-03-02T10:00:00+00:00"
        with freeze_time("2026-03-02 10:01:01"):
            client.get(COMPANIES)
        token.refresh_from_db()
        assert token.last_used_at.isoformat() == "2026-03-02T10:01:01+00:00"

    def test_a_session_works_too_for_the_docs(self, client, csm):
        client.force_login(csm)
        assert client.get(COMPANIES).status_code == 200


class TestCommand:
    def test_prints_the_secret_alone_on_the_last_line(self, csm):
        out = io.StringIO()
        call_command("create_api_token", "--user", "alice", "--name", "Zapier", stdout=out)
        secret = out.getvalue().splitlines()[-1]
        token = ApiToken.objects.get()
        assert (token.user, token.name, token.digest) == (csm, "Zapier", secret_digest(secret))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert client.get(COMPANIES).status_code == 200

    def test_an_unknown_user_is_an_error(self, db):
        with pytest.raises(CommandError, match="No user named 'ghost'"):
            call_command("create_api_token", "--user", "ghost", stdout=io.StringIO())
        assert not ApiToken.objects.exists()


class TestAdmin:
    def test_adding_a_token_shows_its_secret_once(self, client, admin_user, csm):
        client.force_login(admin_user)
        url = reverse("admin:accounts_apitoken_add")
        response = client.post(url, {"user": csm.pk, "name": "Looker"}, follow=True)
        token = ApiToken.objects.get()
        shown = [str(message) for message in response.context["messages"]]
        assert shown[0].startswith("The secret of “Looker”, shown only this once")
        secret = shown[0].rsplit(" ", 1)[-1]
        assert secret_digest(secret) == token.digest
        page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
        assert token.prefix in page and secret not in page

    def test_the_revoke_action(self, client, admin_user, csm):
        token, secret = api_token_create(user=csm, name="leaked")
        client.force_login(admin_user)
        response = client.post(
            reverse("admin:accounts_apitoken_changelist"),
            {"action": "revoke", "_selected_action": [token.pk]},
        )
        assert response.status_code == 302
        token.refresh_from_db()
        assert timezone.now() - token.revoked_at < timedelta(seconds=5)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api.get(COMPANIES).status_code == 401

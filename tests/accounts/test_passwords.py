"""Password reset by email (Django's flow, in the app's layout) and password change for a signed-in user."""

import re

import pytest
from django.core import mail
from django.urls import reverse


@pytest.mark.django_db
class TestPasswordReset:
    def test_the_login_form_links_to_the_reset_page(self, client):
        response = client.get(reverse("accounts:login"))
        assert reverse("accounts:password_reset").encode() in response.content

    def test_reset_by_email_end_to_end(self, client, settings, csm):
        settings.WAYPOINT_BASE_URL = "https://waypoint.example"
        page = client.get("/accounts/password_reset/")
        assert page.status_code == 200 and b'class="auth"' in page.content
        response = client.post(
            "/accounts/password_reset/", {"email": "alice@example.com"}, HTTP_HOST="evil.example"
        )
        assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["alice@example.com"]
        assert message.subject == "Set a new Waypoint password"
        link = re.search(r"https://waypoint\.example(/accounts/reset/\S+/)", message.body)
        assert link, message.body  # the configured address, never the request's Host
        assert "evil.example" not in message.body

        form = client.get(link.group(1), follow=True)
        assert form.status_code == 200 and b"Set a new password" in form.content
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a-fresh-long-pass-42", "new_password2": "a-fresh-long-pass-42"},
        )
        assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
        csm.refresh_from_db()
        assert csm.check_password("a-fresh-long-pass-42")
        # The link works once.
        again = client.get(link.group(1), follow=True)
        assert b"invalid or was already used" in again.content

    def test_an_unknown_address_reveals_nothing(self, client, csm):
        response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
        assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
        assert mail.outbox == []


@pytest.mark.django_db
class TestPasswordChange:
    def test_a_signed_in_user_changes_their_password(self, client, csm):
        client.force_login(csm)
        page = client.get(reverse("accounts:password_change"))
        assert page.status_code == 200 and b"Change your password" in page.content
        wrong = client.post(
            reverse("accounts:password_change"),
            {"old_password": "nope", "new_password1": "x-new-pass-987", "new_password2": "x-new-pass-987"},
        )
        assert wrong.status_code == 200 and b"errorlist" in wrong.content
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": "secret-pass-123",
                "new_password1": "x-new-pass-987",
                "new_password2": "x-new-pass-987",
            },
        )
        assert response.status_code == 302 and response.url == reverse("accounts:password_change_done")
        csm.refresh_from_db()
        assert csm.check_password("x-new-pass-987")
        assert client.get(reverse("accounts:password_change_done")).status_code == 200  # still signed in

    def test_strangers_are_sent_to_log_in(self, client):
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

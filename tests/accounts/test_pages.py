import pytest
from django.urls import reverse


@pytest.mark.django_db
class TestHome:
    def test_csm_goes_to_the_queue(self, client, csm):
        client.force_login(csm)
        response = client.get("/")
        assert response.status_code == 302 and response.url == reverse("web:queue")

    @pytest.mark.parametrize("who", ["manager", "admin_user"])
    def test_managers_and_admins_go_to_the_funnel(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        response = client.get("/")
        assert response.status_code == 302 and response.url == reverse("web:funnel")

    def test_a_user_without_role_is_told_to_ask_an_admin(self, client, nobody):
        client.force_login(nobody)
        response = client.get("/")
        assert response.status_code == 403
        assert b"no role yet" in response.content

    def test_anonymous_visitors_are_sent_to_login(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
class TestLogin:
    def test_login_page_renders(self, client):
        response = client.get(reverse("accounts:login"))
        assert response.status_code == 200
        assert b'name="password"' in response.content

    def test_logging_in_lands_on_the_role_home(self, client, csm):
        response = client.post(
            reverse("accounts:login"), {"username": "alice", "password": "secret-pass-123"}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("web:queue")

    def test_wrong_password_is_refused_with_a_message(self, client, csm):
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content

    def test_logout_needs_post_and_ends_the_session(self, client, csm):
        client.force_login(csm)
        assert client.get(reverse("accounts:logout")).status_code == 405
        client.post(reverse("accounts:logout"))
        assert client.get("/").status_code == 302

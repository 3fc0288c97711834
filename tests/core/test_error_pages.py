"""Error pages in the app's layout (DEBUG off, as in production): 404 and 403 with the sidebar for a signed-in
user and as a card for a stranger; the 500 page static, touching neither the database nor the user."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from core.views import server_error


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


@pytest.mark.django_db
class TestNotFound:
    def test_a_signed_in_user_gets_the_page_with_the_sidebar(self, client, csm):
        client.force_login(csm)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "<title>Page not found · Waypoint</title>" in page
        assert 'class="sidebar"' in page and "There is no page at this address" in page
        assert "waypoint.css" in page

    def test_a_stranger_gets_the_card(self, client):
        response = client.get("/accounts/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert 'class="auth"' in page and "There is no page at this address" in page
        assert 'class="sidebar"' not in page


@pytest.mark.django_db
def test_forbidden_is_the_app_s_page(client, csm):
    client.force_login(csm)
    response = client.get(reverse("web:funnel"))  # managers' page
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Not allowed · Waypoint</title>" in page and 'class="sidebar"' in page


@pytest.mark.django_db
def test_an_expired_form_is_the_app_s_page(csm):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "x"})
    assert response.status_code == 403
    assert "Form expired" in response.content.decode() and "<style" not in response.content.decode()


class TestServerError:
    @pytest.mark.django_db
    def test_the_500_page_is_static(self, django_assert_num_queries):
        request = RequestFactory().get("/companies/")
        with django_assert_num_queries(0):
            response = server_error(request)
        assert response.status_code == 500
        page = response.content.decode()
        assert "<title>Something went wrong · Waypoint</title>" in page and "waypoint.css" in page

    def test_the_template_uses_no_tag_that_reaches_the_database_or_the_user(self):
        source = (settings.BASE_DIR / "templates" / "500.html").read_text()
        assert "{% extends" not in source and "{% include" not in source and "{% url" not in source
        assert "user" not in source.replace("{% comment %}", "").split("{% endcomment %}")[-1]

    @pytest.mark.django_db
    def test_an_exception_in_a_page_renders_it(self, client, csm, monkeypatch):
        def boom(**kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr("ctas.selectors.queue_ctas", boom)
        client.raise_request_exception = False
        client.force_login(csm)
        response = client.get(reverse("web:queue"))
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_a_database_outage_is_the_app_s_static_503_page(client, csm):
    from unittest import mock

    from django.db import OperationalError

    client.force_login(csm)
    client.raise_request_exception = False
    with mock.patch("ctas.selectors.queue_ctas", side_effect=OperationalError("down")):
        response = client.get(reverse("web:queue"))
    assert response.status_code == 503 and response["Retry-After"] == "10"
    page = response.content.decode()
    assert "<title>Waypoint is unavailable · Waypoint</title>" in page and "waypoint.css" in page

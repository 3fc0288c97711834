"""Sign-in lockout (django-axes): 5 failures lock for 15 minutes, per user name and, separately, per address;
the app's form and admin's alike; API tokens are never locked."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse
from freezegun import freeze_time

from accounts.services import api_token_create

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _fail(client, url, username="alice", times=1, address="10.0.0.1"):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
    return response


def _sign_in(client, url, username="alice", password="secret-pass-123", address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestLockout:
    def test_four_failures_still_allow_the_right_password(self, client, csm):
        assert _fail(client, LOGIN, times=4).status_code == 200
        response = _sign_in(client, LOGIN)
        assert response.status_code == 302 and response.url == reverse("web:home")

    def test_the_fifth_failure_locks_and_the_right_password_is_refused(self, client, csm):
        assert _fail(client, LOGIN, times=4).status_code == 200
        locked = _fail(client, LOGIN)
        assert locked.status_code == 429
        assert b"Too many failed sign-in attempts" in locked.content
        assert b"locked for 15 minutes" in locked.content
        refused = _sign_in(client, LOGIN)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_the_user_name_is_locked_from_any_address(self, client, csm):
        _fail(client, LOGIN, times=5, address="10.0.0.1")
        assert _sign_in(client, LOGIN, address="10.9.9.9").status_code == 429

    def test_the_address_is_locked_for_any_user_name(self, client, csm, other_csm):
        for name in ("x1", "x2", "x3", "x4", "x5"):
            _fail(client, LOGIN, username=name, address="10.0.0.1")
        assert _sign_in(client, LOGIN, username="bob", address="10.0.0.1").status_code == 429
        assert _sign_in(client, LOGIN, username="bob", address="10.0.0.2").status_code == 302

    def test_another_user_elsewhere_is_unaffected(self, client, csm, other_csm):
        _fail(client, LOGIN, times=5, address="10.0.0.1")
        assert _sign_in(client, LOGIN, username="bob", address="10.0.0.2").status_code == 302

    def test_the_lock_lifts_after_fifteen_minutes(self, client, csm):
        with freeze_time("2026-03-02 10:00:00"):
            _fail(client, LOGIN, times=5)
        with freeze_time("2026-03-02 10:15:01"):
            assert _sign_in(client, LOGIN).status_code == 302

    def test_trying_while_locked_starts_the_fifteen_minutes_again(self, client, csm):
        with freeze_time("2026-03-02 10:00:00"):
            _fail(client, LOGIN, times=5)
        with freeze_time("2026-03-02 10:14:50"):
            assert _sign_in(client, LOGIN).status_code == 429
        with freeze_time("2026-03-02 10:29:40"):
            assert _sign_in(client, LOGIN, address="10.0.0.9").status_code == 429
        with freeze_time("2026-03-02 10:44:41"):
            assert _sign_in(client, LOGIN).status_code == 302

    def test_admin_login_is_locked_the_same_way(self, client, admin_user):
        assert _fail(client, ADMIN_LOGIN, username="dave", times=4).status_code == 200
        assert _fail(client, ADMIN_LOGIN, username="dave").status_code == 429
        assert _sign_in(client, ADMIN_LOGIN, username="dave").status_code == 429
        assert _sign_in(client, LOGIN, username="dave", address="10.7.7.7").status_code == 429

    def test_failures_are_recorded_for_admins(self, client, csm):
        _fail(client, LOGIN, times=2)
        attempt = AccessAttempt.objects.get(username="alice")
        assert attempt.failures_since_start == 2 and attempt.ip_address == "10.0.0.1"
        assert AccessFailureLog.objects.filter(username="alice").count() == 2

    def test_the_address_behind_the_proxy_counts(self, client, settings, csm, other_csm):
        """Behind nginx every request comes from 127.0.0.1: the client's address is the one nginx forwards."""
        settings.WAYPOINT_PROXY_COUNT = 1
        for name in ("x1", "x2", "x3", "x4", "x5"):
            client.post(
                LOGIN,
                {"username": name, "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
            )
        other = client.post(
            LOGIN,
            {"username": "bob", "password": "secret-pass-123"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.10",
        )
        assert other.status_code == 302
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.django_db
class TestAdminLiftsLocks:
    def test_admin_lists_lockouts_and_deleting_one_lifts_it(self, client, csm, admin_user):
        _fail(client, LOGIN, times=5)
        assert _sign_in(client, LOGIN).status_code == 429
        admin_client = client.__class__()
        admin_client.force_login(admin_user)
        listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
        assert listing.status_code == 200 and b"alice" in listing.content
        attempt = AccessAttempt.objects.get(username="alice")
        admin_client.post(
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        )
        assert not AccessAttempt.objects.exists()
        assert _sign_in(client, LOGIN).status_code == 302


@pytest.mark.django_db
class TestApiTokensAreNotLocked:
    def test_a_locked_user_s_token_still_works_and_bad_tokens_record_nothing(self, client, csm):
        _, secret = api_token_create(user=csm, name="script")
        _fail(client, LOGIN, times=5)
        assert _sign_in(client, LOGIN).status_code == 429
        for _ in range(10):
            bad = client.get("/api/v1/companies/", HTTP_AUTHORIZATION="Token wrong", REMOTE_ADDR="10.0.0.1")
            assert bad.status_code == 401
        good = client.get("/api/v1/companies/", HTTP_AUTHORIZATION=f"Token {secret}", REMOTE_ADDR="10.0.0.1")
        assert good.status_code == 200
        assert AccessAttempt.objects.get().failures_since_start == 6  # 5, and the try while locked

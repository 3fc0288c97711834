"""The in-app notifications of a CSM: the unread count in the sidebar, the list, opening and marking read."""

import pytest
from django.urls import reverse

from accounts.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, title: str, link: str = "/companies/alpha/") -> Notification:
    return Notification.objects.create(user=user, title=title, body="After demo requested.", link=link)


def test_the_sidebar_counts_unread_notifications(client, csm, other_csm):
    notify(csm, "Alpha moved from Solution to Evaluation (6.00)")
    notify(csm, "Beta moved from Target to Education (2.00)")
    notify(other_csm, "Gamma moved from Target to Education (2.00)")
    client.force_login(csm)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert '<span class="unread-count" aria-label="2 unread">2</span>' in page
    assert "Alpha moved from Solution to Evaluation (6.00)" in page and "Gamma" not in page


def test_more_than_99_unread_read_99_plus(client, csm):
    Notification.objects.bulk_create(Notification(user=csm, title=f"n{i}") for i in range(120))
    client.force_login(csm)
    page = client.get(reverse("web:company_list")).content.decode()
    assert 'aria-label="99+ unread">99+</span>' in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, csm):
    notification = notify(csm, "Alpha moved")
    client.force_login(csm)
    response = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/companies/alpha/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_elsewhere_is_not_followed(client, csm):
    notification = notify(csm, "Odd", link="https://evil.example/")
    client.force_login(csm)
    assert client.get(reverse("accounts:notification_open", args=[notification.pk])).url == "/"


def test_someone_elses_notification_does_not_exist(client, csm, other_csm):
    theirs = notify(other_csm, "Gamma moved")
    client.force_login(csm)
    assert client.get(reverse("accounts:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read(client, csm, other_csm):
    notify(csm, "Alpha moved")
    notify(csm, "Beta moved")
    theirs = notify(other_csm, "Gamma moved")
    client.force_login(csm)
    assert client.get(reverse("accounts:notifications_read")).status_code == 405
    response = client.post(reverse("accounts:notifications_read"), follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(user=csm, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_empty_inbox_says_what_will_arrive(client, csm):
    client.force_login(csm)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Nothing yet." in page and "unread-count" not in page

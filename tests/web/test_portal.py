"""The methodology portal: a page per milestone, share links (unguessable, stored as a digest, revocable)
and the shared page a customer opens signed out, which shows the checklist in their words and nothing
internal."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.secrets import secret_digest
from milestones.models import Criterion, Milestone
from playbooks.models import ShareLink
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def create_link(client, key="email-marketing", note="Acme onboarding") -> str:
    response = client.post(reverse("web:milestone_page", args=[key]), {"note": note})
    assert response.status_code == 200
    return re.search(r'value="(http://testserver/shared/milestones/[^"]+)"', response.content.decode()).group(
        1
    )


def test_the_portal_links_each_milestone_to_its_page(client, csm, methodology, django_assert_max_num_queries):
    client.force_login(csm)
    with django_assert_max_num_queries(13):
        page = client.get(reverse("web:portal")).content.decode()
    assert reverse("web:milestone_page", args=["email-marketing"]) in page
    with django_assert_max_num_queries(12):
        page = client.get(reverse("web:milestone_page", args=["email-marketing"])).content.decode()
    assert "Email open rate: 20% or more" in page and "Create a link" in page


def test_a_shared_page_opens_signed_out_in_customer_words_and_nothing_internal(client, csm, methodology):
    CompanyFactory(name="Secret Customer Inc", csm=csm)
    client.force_login(csm)
    url = create_link(client)
    token = url.rsplit("/", 2)[-2]
    assert len(token) >= 40  # ms_ and 32 random bytes
    link = ShareLink.objects.get()
    assert (
        link.token_digest == secret_digest(token)
        and link.created_by == csm
        and link.note == "Acme onboarding"
    )
    assert token not in str(ShareLink.objects.values().get())  # only the digest is stored

    signed_out = Client()
    response = signed_out.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow" and '<meta name="robots" content="noindex' in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Email Marketing" in page and "Email open rate: 20% or more" in page
    assert "Email campaigns sent: 2 or more" in page
    assert "Secret Customer Inc" not in page and "Alice" not in page
    assert not re.search(r'href="/(?!static/)', page), "no link into Waypoint"
    assert "email_open_rate" not in page  # customer words, not the rule's event names


def test_the_shared_page_follows_a_checklist_edit(client, csm, methodology):
    client.force_login(csm)
    url = create_link(client)
    Criterion.objects.filter(milestone__key="email-marketing", metric="email_open_rate").update(
        threshold=0.12
    )
    page = Client().get(url).content.decode()
    assert "Email open rate: 12% or more" in page and "Email open rate: 20%" not in page


def test_a_revoked_or_unknown_link_is_a_404(
    client, csm, other_csm, manager, methodology, django_assert_max_num_queries
):
    client.force_login(csm)
    url = create_link(client)
    link = ShareLink.objects.get()
    signed_out = Client()
    with django_assert_max_num_queries(7):
        assert signed_out.get(url).status_code == 200
    # Bob cannot revoke Alice's link (it does not exist for him); a manager can.
    client.force_login(other_csm)
    assert client.post(reverse("web:share_link_revoke", args=[link.pk])).status_code == 404
    assert signed_out.get(url).status_code == 200
    assert "Acme onboarding" not in client.get(reverse("web:share_links")).content.decode()
    client.force_login(manager)
    assert "Acme onboarding" in client.get(reverse("web:share_links")).content.decode()
    assert client.post(reverse("web:share_link_revoke", args=[link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert signed_out.get(url).status_code == 404
    assert signed_out.get(url[:-3] + "abc/").status_code == 404
    assert signed_out.get(reverse("web:milestone_shared", args=["x" * 500])).status_code == 404


def test_links_list_and_revoke_for_their_creator(client, csm, methodology):
    client.force_login(csm)
    create_link(client, key="lead-generation", note="Globex")
    link = ShareLink.objects.get()
    page = client.get(reverse("web:share_links")).content.decode()
    assert "Globex" in page and "Lead Generation" in page and link.token_prefix in page
    response = client.post(reverse("web:share_link_revoke", args=[link.pk]), {"next": "milestone"})
    assert response["Location"] == reverse("web:milestone_page", args=["lead-generation"])
    assert "revoked" in client.get(reverse("web:share_links")).content.decode()


def test_signed_out_people_cannot_create_links_or_see_the_portal(methodology):
    signed_out = Client()
    response = signed_out.post(reverse("web:milestone_page", args=["email-marketing"]), {"note": "x"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ShareLink.objects.exists()
    assert Milestone.objects.filter(key="email-marketing").exists()


def test_a_user_without_a_role_cannot_create_links(client, nobody, methodology):
    client.force_login(nobody)
    assert client.post(reverse("web:milestone_page", args=["email-marketing"])).status_code == 403
    assert not ShareLink.objects.exists()

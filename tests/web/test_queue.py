"""The queue page (a CSM's landing page) and a CTA's page: what they show, in which order, the actions with
and without HTMX, who may do what (forged posts are 404s), CSRF, and bounded queries."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ctas.models import CTA
from tests.ctas.helpers import customer, day

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 12)


@pytest.fixture
def queue(csm, other_csm, stuck_rule, time_machine_today):
    customer(csm, name="Long Stuck", first_on="2026-01-06", mrr=500)
    customer(csm, name="Recently Stuck", first_on="2026-01-09", mrr=9000)
    customer(csm, name="Moving Along", first_on="2026-02-01")
    customer(other_csm, name="Someone Else's", first_on="2026-01-06")
    day("2026-02-11")
    time_machine_today(TODAY)


def names(response):
    return [cta.company.name for cta in response.context["page_obj"]]


def test_the_queue_lists_my_ctas_by_the_priority_it_names(client, csm, queue):
    client.force_login(csm)
    response = client.get(reverse("web:queue"))
    page = response.content.decode()
    ctas = list(response.context["page_obj"])
    assert names(response) == ["Recently Stuck", "Long Stuck"]  # MRR outweighs 3 more days here
    assert [c.priority_score for c in ctas] == sorted((c.priority_score for c in ctas), reverse=True)
    assert "sorted by priority, highest first, then due date" in page
    assert "Priority (0–100) = days at the milestone" in page
    assert "Moving Along" not in page and "Someone Else&#x27;s" not in page
    assert 'hx-post="/ctas/' in page and 'name="csrfmiddlewaretoken"' in page


def test_filters_search_and_the_overdue_filter(client, csm, queue):
    client.force_login(csm)
    assert names(client.get(reverse("web:queue"), {"q": "long"})) == ["Long Stuck"]
    assert names(client.get(reverse("web:queue"), {"type": "qbr"})) == []
    assert names(client.get(reverse("web:queue"), {"milestone": "second", "segment": "SMB"})) == [
        "Recently Stuck",
        "Long Stuck",
    ]
    assert names(client.get(reverse("web:queue"), {"overdue": "1"})) == []  # due Feb 25
    assert b"No CTA matches these filters." in client.get(reverse("web:queue"), {"q": "zzz"}).content


def test_the_queue_is_a_constant_number_of_queries(client, csm, queue, django_assert_max_num_queries):
    client.force_login(csm)
    with django_assert_max_num_queries(16):
        client.get(reverse("web:queue"))
    for index in range(10):
        customer(csm, name=f"More {index}", first_on="2026-01-05")
    day("2026-02-12")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("web:queue"))
    assert len(names(response)) == 12


def test_an_empty_queue_says_what_to_do(client, csm):
    client.force_login(csm)
    page = client.get(reverse("web:queue")).content.decode()
    assert "No open CTAs." in page and "open a CTA by hand" in page


def test_snooze_without_javascript_redirects_back_with_a_message(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    response = client.post(
        reverse("web:cta_snooze", args=[cta.pk]),
        {"until": "2026-03-01", "reason": "Sponsor on leave", "next": "/queue/?q=long"},
        follow=True,
    )
    assert response.redirect_chain == [("/queue/?q=long", 302)]
    assert "Snoozed until Mar 1, 2026." in response.content.decode()
    cta.refresh_from_db()
    assert (cta.status, cta.reason) == ("snoozed", "Sponsor on leave")


def test_with_htmx_an_action_answers_the_row(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    response = client.post(
        reverse("web:cta_close", args=[cta.pk]), {"outcome": "done", "note": "Held"}, HTTP_HX_REQUEST="true"
    )
    row = response.content.decode()
    assert response.status_code == 200 and row.lstrip().startswith(f'<tr id="cta-{cta.pk}"')
    assert "Closed: done" in row and "Closed: done." in row
    bad = client.post(
        reverse("web:cta_snooze", args=[cta.pk]), {"until": "", "reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert 'role="alert"' in bad.content.decode()


def test_checking_off_a_task_in_place(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    task = cta.tasks.get(order=1)
    response = client.post(
        reverse("web:cta_task", args=[cta.pk]), {"done": str(task.pk)}, HTTP_HX_REQUEST="true"
    )
    assert "1/2" in response.content.decode()
    task.refresh_from_db()
    assert task.done_by == csm


def test_forged_posts_for_another_csms_cta_are_404(client, csm, queue):
    client.force_login(csm)
    theirs = CTA.objects.get(company__name="Someone Else's")
    task = theirs.tasks.first()
    for url, data in (
        (reverse("web:cta_start", args=[theirs.pk]), {}),
        (reverse("web:cta_close", args=[theirs.pk]), {"outcome": "done"}),
        (reverse("web:cta_close", args=[theirs.pk]), {"outcome": "bogus"}),
        (reverse("web:cta_snooze", args=[theirs.pk]), {"until": "2026-03-01", "reason": "x"}),
        (reverse("web:cta_task", args=[theirs.pk]), {"done": str(task.pk)}),
        (reverse("web:cta_task", args=[theirs.pk]), {"done": "x"}),
        (reverse("web:cta_assign", args=[theirs.pk]), {"owner": ""}),
    ):
        assert client.post(url, data).status_code == 404, url
    response = client.post(
        reverse("web:queue_bulk"), {"action": "close", "outcome": "done", "ids": [theirs.pk]}
    )
    assert response.status_code == 404
    assert client.get(reverse("web:cta_detail", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_every_form_needs_its_csrf_token(csm, queue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    assert client.post(reverse("web:cta_start", args=[cta.pk])).status_code == 403
    assert client.post(reverse("web:queue_bulk"), {"action": "close", "ids": [cta.pk]}).status_code == 403


def test_bulk_close_from_the_queue(client, csm, queue):
    client.force_login(csm)
    ids = list(CTA.objects.filter(owner=csm).values_list("pk", flat=True))
    response = client.post(
        reverse("web:queue_bulk"), {"action": "close", "outcome": "not_needed", "ids": ids}, follow=True
    )
    assert "2 CTAs closed." in response.content.decode()
    assert set(CTA.objects.filter(pk__in=ids).values_list("outcome", flat=True)) == {"not_needed"}
    empty = client.post(reverse("web:queue_bulk"), {"action": "close", "outcome": "done"}, follow=True)
    assert "Select at least one CTA." in empty.content.decode()


def test_a_manager_sees_every_queue_the_pool_and_reassigns(client, manager, csm, other_csm, queue):
    customer(None, name="Orphan", first_on="2026-01-06")
    day("2026-02-12")
    client.force_login(manager)
    everyone = client.get(reverse("web:queue"))
    assert set(names(everyone)) == {"Recently Stuck", "Long Stuck", "Someone Else's", "Orphan"}
    assert names(client.get(reverse("web:queue"), {"owner": "pool"})) == ["Orphan"]
    assert names(client.get(reverse("web:queue"), {"owner": str(other_csm.pk)})) == ["Someone Else's"]
    orphan = CTA.objects.get(company__name="Orphan")
    client.post(reverse("web:queue_bulk"), {"action": "assign", "owner": str(csm.pk), "ids": [orphan.pk]})
    orphan.refresh_from_db()
    assert orphan.owner == csm
    client.post(reverse("web:queue_round_robin"))


def test_a_csm_cannot_assign(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    response = client.post(reverse("web:queue_bulk"), {"action": "assign", "owner": "", "ids": [cta.pk]})
    assert response.status_code == 404
    assert client.post(reverse("web:queue_round_robin")).status_code == 404


def test_the_cta_page_shows_tasks_priority_and_history(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    client.post(reverse("web:cta_start", args=[cta.pk]))
    page = client.get(reverse("web:cta_detail", args=[cta.pk])).content.decode()
    assert "Review the account" in page and "Hold the EBR" in page
    assert "days at the milestone:" in page and "MRR above" in page
    assert "Daily run" in page and "status: open → in_progress" in page


def test_stuck_accounts_without_a_cta_are_listed(client, csm, queue):
    client.force_login(csm)
    cta = CTA.objects.get(company__name="Long Stuck")
    client.post(reverse("web:cta_close", args=[cta.pk]), {"outcome": "done"})
    page = client.get(reverse("web:queue")).content.decode()
    assert "Stuck accounts without a CTA" in page and "most days at their milestone first" in page
    assert page.count("Long Stuck") >= 1


def test_the_company_page_lists_its_ctas_and_opens_one_by_hand(client, csm, queue):
    client.force_login(csm)
    company = CTA.objects.get(company__name="Long Stuck").company
    page = client.get(company.get_absolute_url()).content.decode()
    assert 'id="ctas"' in page and "Review the account" in page
    response = client.post(
        reverse("web:company_cta_create", args=[company.external_id]),
        {"cta_type": "check-in", "due_on": "2026-02-20", "reason": "Quarter review", "tasks": "Call\nWrite"},
        follow=True,
    )
    assert "Check-in opened for Long Stuck." in response.content.decode()
    assert CTA.objects.filter(company=company, cta_type__slug="check-in", owner=csm).exists()


def test_the_cover_page(client, csm, other_csm):
    client.force_login(csm)
    response = client.post(
        reverse("accounts:cover"),
        {"covered_by": other_csm.pk, "starts_on": "2026-12-01", "ends_on": "2026-12-10", "csm": other_csm.pk},
        follow=True,
    )
    assert "Bob Silva covers for Alice Costa from Dec 1 to Dec 10, 2026." in response.content.decode()


def test_hostile_input_is_never_a_500(client, csm, manager, queue):
    client.force_login(csm)
    huge = "9" * 25
    assert client.get(f"/ctas/{huge}/").status_code == 404
    assert client.post(f"/ctas/{huge}/start/").status_code == 404
    assert client.post(f"/ctas/{huge}/tasks/", {"done": huge}).status_code == 404
    for params in ({"page": "-1"}, {"page": huge}, {"status": "x", "overdue": "yes"}, {"q": "%_'\""}):
        assert client.get(reverse("web:queue"), params).status_code == 200
    assert client.get(reverse("web:queue"), {"q": "\x00"}).status_code == 400  # no id can hold a NUL
    response = client.post(
        reverse("web:queue_bulk"), {"action": "close", "outcome": "done", "ids": [huge, "x"]}
    )
    assert response.status_code in (302, 404)
    cta = CTA.objects.get(company__name="Long Stuck")
    bad_day = client.post(reverse("web:cta_snooze", args=[cta.pk]), {"until": "2026-02-30", "reason": "x"})
    assert bad_day.status_code == 302
    client.force_login(manager)
    assert client.get(reverse("web:queue"), {"owner": huge}).status_code == 200
    assert client.post(reverse("web:cta_assign", args=[cta.pk]), {"owner": huge}).status_code == 302
    response = client.post(reverse("web:queue_bulk"), {"action": "assign", "owner": huge, "ids": [cta.pk]})
    assert response.status_code == 302
    cover = {"csm": huge, "covered_by": huge, "starts_on": "2026-12-01", "ends_on": "x"}
    assert client.post(reverse("accounts:cover"), cover).status_code == 302
    assert client.post(reverse("accounts:cover_end", args=[int(huge)])).status_code == 404

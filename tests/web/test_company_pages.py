import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, ContactFactory, EventFactory, EventTypeFactory, MetricValueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(csm, other_csm):
    mine = CompanyFactory(name="Alpha Analytics", external_id="alpha", csm=csm, plan="Pro")
    CompanyFactory(
        name="Beta Foods",
        external_id="beta",
        csm=csm,
        plan="Starter",
        lifecycle="prospect",
        customer_since=None,
    )
    theirs = CompanyFactory(name="Gamma Health", external_id="gamma", csm=other_csm)
    return mine, theirs


class TestCompanyList:
    def test_a_csm_sees_only_their_companies(self, client, csm, accounts):
        client.force_login(csm)
        page = client.get(reverse("web:company_list")).content.decode()
        assert "Alpha Analytics" in page and "Beta Foods" in page
        assert "Gamma Health" not in page

    def test_the_csm_filter_cannot_widen_a_csm_scope(self, client, csm, other_csm, accounts):
        client.force_login(csm)
        page = client.get(reverse("web:company_list"), {"csm": other_csm.username}).content.decode()
        assert "Gamma Health" not in page

    def test_a_manager_sees_everyone_and_filters(self, client, manager, accounts):
        client.force_login(manager)
        page = client.get(reverse("web:company_list")).content.decode()
        assert all(name in page for name in ("Alpha Analytics", "Beta Foods", "Gamma Health"))
        filtered = client.get(reverse("web:company_list"), {"plan": "Starter"}).content.decode()
        assert "Beta Foods" in filtered and "Alpha Analytics" not in filtered
        searched = client.get(reverse("web:company_list"), {"q": "gamma"}).content.decode()
        assert "Gamma Health" in searched and "Beta Foods" not in searched

    def test_pagination_keeps_the_filters(self, client, manager):
        CompanyFactory.create_batch(30, plan="Business")
        client.force_login(manager)
        response = client.get(reverse("web:company_list"), {"plan": "Business"})
        assert response.context["page_obj"].paginator.count == 30
        assert "plan=Business&amp;page=2" in response.content.decode()
        second = client.get(reverse("web:company_list"), {"plan": "Business", "page": 2})
        assert len(second.context["page_obj"]) == 5

    def test_the_list_is_a_constant_number_of_queries(self, client, manager, django_assert_max_num_queries):
        CompanyFactory.create_batch(25)
        client.force_login(manager)
        with django_assert_max_num_queries(10):
            client.get(reverse("web:company_list"))

    def test_an_empty_workspace_says_so(self, client, manager):
        client.force_login(manager)
        assert b"No companies match." in client.get(reverse("web:company_list")).content


class TestCompanyPage:
    def test_shows_the_account_its_people_events_metrics_and_milestones(
        self, client, csm, accounts, methodology
    ):
        mine, _ = accounts
        ContactFactory(company=mine, name="Ana Souza")
        EventFactory(company=mine, type=EventTypeFactory(name="landing_page_published"))
        MetricValueFactory(company=mine, metric="monthly_visits", value=1234)
        client.force_login(csm)
        page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
        for text in (
            "Alpha Analytics",
            "Ana Souza",
            "landing_page_published",
            "monthly_visits",
            "1,234",
            "Lead Generation",
            "working on it",
        ):
            assert text in page

    def test_another_csms_company_does_not_exist_for_you(self, client, csm, accounts):
        client.force_login(csm)
        assert client.get(reverse("web:company_detail", args=["gamma"])).status_code == 404
        assert client.get(reverse("web:company_events", args=["gamma"])).status_code == 404

    def test_event_names_are_escaped(self, client, csm, accounts):
        mine, _ = accounts
        EventFactory(company=mine, type=EventTypeFactory(name="</script><script>alert(1)</script>"))
        client.force_login(csm)
        page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page

    def test_the_event_list_filters_by_name(self, client, csm, accounts):
        mine, _ = accounts
        EventFactory(company=mine, type=EventTypeFactory(name="deal_won"), properties={"amount": 900})
        EventFactory(company=mine, type=EventTypeFactory(name="blog_viewed"))
        client.force_login(csm)
        page = client.get(reverse("web:company_events", args=["alpha"]), {"type": "deal_won"})
        assert page.context["page_obj"].paginator.count == 1
        assert "amount: 900" in page.content.decode()


class TestRolePages:
    def test_the_funnel_is_for_managers(self, client, csm, manager, methodology):
        client.force_login(csm)
        assert client.get(reverse("web:funnel")).status_code == 403
        client.force_login(manager)
        page = client.get(reverse("web:funnel")).content.decode()
        assert "Lead Generation" in page and "Inbound at Scale" in page

    def test_the_methodology_portal_shows_phases_checklists_tasks_and_content(self, client, csm, methodology):
        client.force_login(csm)
        page = client.get(reverse("web:portal")).content.decode()
        for text in (
            "Prove the Channel",
            "lead_created ≥ 50",
            "Leads created: 50 or more",
            "Email open rate: 20% or more",
            "Install the tracking code",
            "Ready to Buy",
            "from 8.00",
            "Security and SOC 2 overview",
        ):
            assert text in page

    def test_the_portal_without_methodology_explains_how_to_get_one(self, client, csm):
        client.force_login(csm)
        assert b"No methodology yet." in client.get(reverse("web:portal")).content


class TestBuyerJourney:
    @pytest.fixture
    def scored(self, methodology, csm):
        from datetime import timedelta

        from django.utils import timezone

        from journey.services.scoring import journey_score

        company = CompanyFactory(name="Alpha Analytics", external_id="alpha", csm=csm)
        now = timezone.now()
        for offset, name in ((3, "blog_viewed"), (2, "demo_requested")):
            EventFactory(
                company=company, type=EventTypeFactory(name=name), occurred_at=now - timedelta(days=offset)
            )
        journey_score(until=now)
        return company

    def test_the_company_page_explains_the_score_and_what_would_move_it(self, client, csm, scored):
        client.force_login(csm)
        page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
        assert "Buyer journey" in page
        assert "6.00" in page and '<span class="stage stage-evaluation">Evaluation</span>' in page
        # The steps, most recent first: the demo request raised 0.25 to 6.00 by its trigger.
        assert page.index("demo_requested") < page.index("blog_viewed")
        assert "raised to 6.00 by “Demo or trial requested”" in page
        assert "Proposal or contract viewed (auto-score 9.00)" in page  # what would move it next
        assert "to 5.00 unless it engages before" in page  # the next decay step

    def test_every_step_has_its_own_page_and_the_list_shows_the_stage(self, client, csm, scored):
        client.force_login(csm)
        page = client.get(reverse("web:company_journey", args=["alpha"])).content.decode()
        assert "2 in all" in page and "Target" in page and "Evaluation" in page
        listing = client.get(reverse("web:company_list"), {"stage": "evaluation"}).content.decode()
        assert "Alpha Analytics" in listing and "6.00" in listing
        assert (
            "Alpha Analytics"
            not in client.get(reverse("web:company_list"), {"stage": "target"}).content.decode()
        )

    def test_another_csms_company_journey_does_not_exist(self, client, other_csm, scored):
        client.force_login(other_csm)
        assert client.get(reverse("web:company_journey", args=["alpha"])).status_code == 404

    def test_a_company_without_events_has_an_empty_explanation(self, client, csm, methodology):
        CompanyFactory(name="Quiet Co", external_id="quiet", csm=csm)
        client.force_login(csm)
        page = client.get(reverse("web:company_detail", args=["quiet"])).content.decode()
        assert "0.00" in page and "No scoring events yet." in page

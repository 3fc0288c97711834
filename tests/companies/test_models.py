"""The database itself refuses bad rows, whatever path wrote them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from companies.models import Company, Contact
from tests.factories import CompanyFactory, ContactFactory, EventFactory, EventTypeFactory, MetricValueFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError) if not kwargs else pytest.raises(IntegrityError, **kwargs)


class TestEvent:
    def test_a_duplicate_message_id_from_the_same_source_is_refused(self):
        event = EventFactory(source="segment:web", message_id="m-1")
        with refused(), transaction.atomic():
            EventFactory(company=event.company, source="segment:web", message_id="m-1")

    def test_the_same_message_id_from_another_source_is_a_different_event(self):
        event = EventFactory(source="segment:web", message_id="m-1")
        EventFactory(company=event.company, source="api", message_id="m-1")
        assert event.company.events.count() == 2

    def test_an_event_type_name_is_stored_once(self):
        EventTypeFactory(name="deal_won")
        with refused(), transaction.atomic():
            EventTypeFactory._meta.model.objects.create(name="deal_won")


class TestCompany:
    def test_external_id_is_unique(self):
        CompanyFactory(external_id="acme")
        with refused(), transaction.atomic():
            CompanyFactory(external_id="acme")

    @pytest.mark.parametrize(
        "fields",
        [
            {"mrr": -1},
            {"lifecycle": Company.Lifecycle.CUSTOMER, "customer_since": None},
            {"lifecycle": Company.Lifecycle.CHURNED, "churned_on": None},
            {
                "lifecycle": Company.Lifecycle.CHURNED,
                "customer_since": date(2026, 3, 1),
                "churned_on": date(2026, 2, 1),
            },
        ],
        ids=["negative-mrr", "customer-without-start", "churned-without-date", "churn-before-start"],
    )
    def test_inconsistent_accounts_are_refused(self, fields):
        with refused(), transaction.atomic():
            CompanyFactory(**fields)

    def test_admin_forms_get_a_readable_message(self):
        company = CompanyFactory.build(lifecycle=Company.Lifecycle.CUSTOMER, customer_since=None)
        with pytest.raises(ValidationError, match="A customer needs a 'customer since' date"):
            company.full_clean()

    def test_a_churned_customer_is_valid(self):
        company = CompanyFactory(
            lifecycle=Company.Lifecycle.CHURNED, customer_since=date(2026, 1, 1), churned_on=date(2026, 1, 1)
        )
        company.full_clean()


class TestContact:
    def test_email_is_unique_in_its_company_whatever_its_case(self):
        ana = ContactFactory(email="Ana@Example.com")
        with refused(), transaction.atomic():
            ContactFactory(email="ana@example.com", company=ana.company)
        ContactFactory(email="ana@example.com")  # a consultant at another company
        ContactFactory(email="ana@example.com", company=None)
        with refused(), transaction.atomic():
            ContactFactory(email="ANA@example.com", company=None)

    def test_external_id_is_unique_but_may_be_blank_on_many(self):
        ContactFactory(external_id="")
        ContactFactory(external_id="")
        ContactFactory(external_id="u-1")
        with refused(), transaction.atomic():
            ContactFactory(external_id="u-1")

    def test_a_contact_needs_an_id_or_an_email(self):
        with refused(), transaction.atomic():
            Contact.objects.create(company=CompanyFactory(), external_id="", email="")


class TestMetricValue:
    def test_one_value_per_company_metric_and_day(self):
        value = MetricValueFactory(date=date(2026, 3, 2))
        MetricValueFactory(company=value.company, date=date(2026, 3, 3))
        with refused(), transaction.atomic():
            MetricValueFactory(company=value.company, date=date(2026, 3, 2))

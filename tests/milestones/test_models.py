import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from milestones.models import Criterion
from tests.factories import CriterionFactory, MilestoneFactory, PhaseFactory

pytestmark = pytest.mark.django_db


class TestCriterionValidation:
    def test_a_ratio_without_denominator_is_refused_with_a_message(self):
        criterion = CriterionFactory.build(
            milestone=MilestoneFactory(), kind=Criterion.Kind.RATIO, event_name="deal_won", threshold=0.1
        )
        with pytest.raises(ValidationError) as error:
            criterion.full_clean()
        assert error.value.message_dict["denominator_event_name"] == [
            "A ratio criterion needs a denominator event."
        ]

    def test_the_database_refuses_it_too(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            CriterionFactory(
                kind=Criterion.Kind.RATIO, event_name="deal_won", denominator_event_name="", threshold=1
            )

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"kind": "event_count", "event_name": ""}, "event_name", "Name the event to count."),
            ({"kind": "metric", "metric": ""}, "metric", "A metric criterion needs a metric name."),
            (
                {"kind": "metric", "metric": "email_open_rate", "window_days": 30},
                "window_days",
                "A metric is read",
            ),
            ({"threshold": -1}, "threshold", "cannot have a negative threshold"),
            (
                {"property_key": "completion", "property_operator": "gt", "property_value": "high"},
                "property_value",
                "is not a number",
            ),
            (
                {"property_key": "bad key!", "property_operator": "eq", "property_value": "x"},
                "property_key",
                "top-level property name",
            ),
            ({"property_key": "", "property_operator": "eq"}, "property_key", "Name the property"),
        ],
        ids=[
            "count-without-event",
            "metric-without-name",
            "metric-with-window",
            "negative-threshold",
            "ordering-a-text",
            "bad-property-key",
            "operator-without-key",
        ],
    )
    def test_invalid_criteria_are_explained(self, fields, field, message):
        criterion = CriterionFactory.build(milestone=MilestoneFactory(), **fields)
        with pytest.raises(ValidationError) as error:
            criterion.full_clean()
        assert message in " ".join(error.value.message_dict[field])

    def test_a_full_criterion_is_valid_and_labels_itself(self):
        criterion = CriterionFactory.build(
            milestone=MilestoneFactory(),
            kind=Criterion.Kind.RATIO,
            event_name="deal_won",
            denominator_event_name="lead_qualified",
            threshold=0.1,
            window_days=90,
            min_denominator=20,
            property_key="source",
            property_operator="eq",
            property_value="inbound",
        )
        criterion.full_clean()
        assert criterion.display_label == (
            "Deals won out of qualified leads (where source = inbound) in 90 days: 10% or more "
            "(with 20 or more qualified leads)"
        )
        assert criterion.rule_text == "deal_won / lead_qualified where source = inbound ≥ 0.1 in 90 days"

    def test_labels_follow_the_threshold_after_an_edit(self):
        criterion = CriterionFactory.build(
            milestone=MilestoneFactory(), kind=Criterion.Kind.METRIC, metric="email_open_rate", threshold=0.2
        )
        assert criterion.display_label == "Email open rate: 20% or more"
        criterion.threshold = 0.12
        assert criterion.display_label == "Email open rate: 12% or more"
        criterion.metric, criterion.threshold, criterion.comparator = "monthly_visits", 20000, "gt"
        assert criterion.display_label == "Monthly visits: more than 20,000"

    def test_an_admin_names_the_subject_and_unknown_events_are_spelled_out(self):
        criterion = CriterionFactory.build(
            milestone=MilestoneFactory(), event_name="report_created", threshold=3, window_days=30
        )
        assert criterion.display_label == "Report created in 30 days: 3 or more"
        criterion.subject = "Reports shared with the board"
        assert criterion.display_label == "Reports shared with the board in 30 days: 3 or more"


class TestOrders:
    def test_two_milestones_of_a_phase_cannot_share_an_order(self):
        phase = PhaseFactory()
        MilestoneFactory(phase=phase, order=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            MilestoneFactory(phase=phase, order=1)

    def test_orders_start_at_one(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PhaseFactory(order=0)

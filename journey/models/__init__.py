from journey.models.companies import Company, CompanyQuerySet, Contact, Event, EventType, MetricValue, Stage
from journey.models.scoring import JourneyState, ScoringRule, ScoringSettings, StageChange, StageTrigger

__all__ = [
    "Company",
    "CompanyQuerySet",
    "Contact",
    "Event",
    "EventType",
    "JourneyState",
    "MetricValue",
    "ScoringRule",
    "ScoringSettings",
    "Stage",
    "StageChange",
    "StageTrigger",
]

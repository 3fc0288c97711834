from journey.models.companies import Company, CompanyQuerySet, Contact, Event, EventType, MetricValue, Stage
from journey.models.ingestion import PendingEvent, RejectedMessage, WriteKey
from journey.models.scoring import JourneyState, ScoringRule, ScoringSettings, StageChange, StageTrigger

__all__ = [
    "Company",
    "CompanyQuerySet",
    "Contact",
    "Event",
    "EventType",
    "JourneyState",
    "MetricValue",
    "PendingEvent",
    "RejectedMessage",
    "ScoringRule",
    "ScoringSettings",
    "Stage",
    "StageChange",
    "StageTrigger",
    "WriteKey",
]

from milestones.models.methodology import Criterion, CTARule, CTAType, HealthSettings, Milestone, Phase
from milestones.models.progress import Achievement, CompanyProgress, CsmFunnelSnapshot, FunnelSnapshot

__all__ = [
    "Achievement",
    "CTARule",
    "CTAType",
    "CompanyProgress",
    "Criterion",
    "CsmFunnelSnapshot",
    "FunnelSnapshot",
    "HealthSettings",
    "Milestone",
    "Phase",
]

from milestones.models.methodology import Criterion, CTARule, HealthSettings, Milestone, Phase
from milestones.models.progress import Achievement, CompanyProgress, CsmFunnelSnapshot, FunnelSnapshot

__all__ = [
    "Achievement",
    "CTARule",
    "CompanyProgress",
    "Criterion",
    "CsmFunnelSnapshot",
    "FunnelSnapshot",
    "HealthSettings",
    "Milestone",
    "Phase",
]

"""The default methodology of DESIGN §9: an inbound-marketing journey in four phases.

Only Lead Generation's checklist is given word for word by the seed; the rest are defaults admins edit.
Criteria are (kind, fields…) dicts; task lists are in playbooks/defaults.py."""

from typing import Any


def count(event, threshold, window_days=None, **extra):
    return {
        "kind": "event_count",
        "event_name": event,
        "threshold": threshold,
        "window_days": window_days,
        **extra,
    }


def metric(name, threshold):
    return {"kind": "metric", "metric": name, "threshold": threshold}


def ratio(numerator, denominator, threshold, window_days, min_denominator):
    return {
        "kind": "ratio",
        "event_name": numerator,
        "denominator_event_name": denominator,
        "threshold": threshold,
        "window_days": window_days,
        "min_denominator": min_denominator,
    }


PHASES: list[dict[str, Any]] = [
    {
        "key": "prove-the-channel",
        "name": "Prove the Channel",
        "goal": "Prove that inbound marketing brings leads and a first deal, so the company invests in it.",
        "typical_duration": "3–6 months",
        "start_requirements": "A signed contract and access to the website to install the tracking code.",
        "milestones": [
            {
                "key": "lead-generation",
                "name": "Lead Generation",
                "target_days": 45,
                "description": "A first lead-generation campaign is live and brings qualified leads: the first "
                "value, delivered within the onboarding.",
                "criteria": [
                    count("tracking_code_installed", 1),
                    count("landing_page_published", 1),
                    metric("landing_page_conversion_rate", 0.15),
                    count("lead_created", 50),
                    count("lead_qualified", 3),
                ],
            },
            {
                "key": "email-marketing",
                "name": "Email Marketing",
                "target_days": 30,
                "description": "The customer nurtures the leads it has with good email campaigns and sees "
                "them opened: value fast, before the harder content work.",
                "criteria": [
                    count("email_campaign_sent", 2),
                    metric("email_open_rate", 0.20),
                ],
            },
            {
                "key": "content-traffic",
                "name": "Content & Traffic",
                "target_days": 60,
                "description": "A steady content plan brings visitors every month: the engine of future leads.",
                "criteria": [
                    count("blog_post_published", 4, 60),
                    metric("monthly_visits", 1000),
                ],
            },
            {
                "key": "lead-nurturing",
                "name": "Lead Nurturing",
                "target_days": 45,
                "description": "Leads are nurtured automatically until they are ready, and the first deal "
                "comes from inbound.",
                "criteria": [
                    count("automation_flow_activated", 1),
                    count("deal_won", 1),
                ],
            },
        ],
    },
    {
        "key": "scale-the-channel",
        "name": "Scale the Channel",
        "goal": "Turn inbound into a repeatable channel that sales relies on.",
        "typical_duration": "6–12 months",
        "start_requirements": "A first deal won from inbound (Prove the Channel complete).",
        "milestones": [
            {
                "key": "crm-integration",
                "name": "CRM Integration",
                "target_days": 30,
                "description": "Marketing and sales share one view of every lead.",
                "criteria": [
                    count("crm_integration_connected", 1),
                    count("lead_qualified", 10, 30),
                ],
            },
            {
                "key": "lead-scoring",
                "name": "Lead Scoring",
                "target_days": 45,
                "description": "Sales gets the right leads: a scoring model qualifies a steady share of them.",
                "criteria": [
                    ratio("lead_qualified", "lead_created", 0.15, 90, 100),
                ],
            },
            {
                "key": "sales-hand-off",
                "name": "Sales Hand-off",
                "target_days": 60,
                "description": "Marketing and sales agree on a service level, and qualified leads turn into deals.",
                "criteria": [
                    count("deal_won", 3, 90),
                    ratio("deal_won", "lead_qualified", 0.10, 90, 20),
                ],
            },
        ],
    },
    {
        "key": "predictable-growth",
        "name": "Predictable Growth",
        "goal": "Make the inbound pipeline predictable month after month.",
        "typical_duration": "6–12 months",
        "start_requirements": "Marketing and sales share one process and one CRM.",
        "milestones": [
            {
                "key": "content-cadence",
                "name": "Content Cadence",
                "target_days": 90,
                "description": "Content is published every week and brings thousands of visitors.",
                "criteria": [
                    count("blog_post_published", 8, 60),
                    metric("monthly_visits", 5000),
                ],
            },
            {
                "key": "predictable-pipeline",
                "name": "Predictable Pipeline",
                "target_days": 90,
                "description": "Monthly lead and deal goals are set and met.",
                "criteria": [
                    count("lead_created", 150, 30),
                    count("deal_won", 4, 30),
                ],
            },
        ],
    },
    {
        "key": "optimize",
        "name": "Optimize",
        "goal": "Improve conversion at every step and scale the team.",
        "typical_duration": "Ongoing",
        "start_requirements": "Monthly lead and deal goals met for a quarter.",
        "milestones": [
            {
                "key": "conversion-improvement",
                "name": "Conversion Improvement",
                "target_days": 90,
                "description": "Landing pages and emails convert well above the start.",
                "criteria": [
                    metric("landing_page_conversion_rate", 0.25),
                    metric("email_open_rate", 0.30),
                ],
            },
            {
                "key": "inbound-at-scale",
                "name": "Inbound at Scale",
                "target_days": 120,
                "description": "Inbound is the company's main source of revenue, run by a specialised team.",
                "criteria": [
                    metric("monthly_visits", 20000),
                    count("deal_won", 8, 30),
                ],
            },
        ],
    },
]


# The CTA types admins start with (editable in admin; the API names them by slug).
CTA_TYPES: list[dict[str, str]] = [
    {"slug": "ebr", "name": "EBR"},
    {"slug": "qbr", "name": "QBR"},
    {"slug": "check-in", "name": "Check-in"},
    {"slug": "risk", "name": "Risk"},
]

# DESIGN §4.4, from the seed: "EBRs for customers stuck in Success Milestone 2" and "EBRs for customers
# at the same milestone for more than 3 months"; the seed's "before" (a QBR for every customer every
# quarter) is installed but inactive.
CTA_RULES: list[dict[str, Any]] = [
    {
        "name": "EBR for customers stuck at milestone 2",
        "trigger": "stuck",
        "milestone": "email-marketing",
        "min_days_at_position": 30,
        "cta_type": "ebr",
        "priority": 1,
        "due_in_days": 14,
        "cooldown_days": 60,
        "is_active": True,
    },
    {
        "name": "EBR for customers at the same milestone for more than 90 days",
        "trigger": "stuck",
        "milestone": None,
        "min_days_at_position": 90,
        "cta_type": "ebr",
        "priority": 2,
        "due_in_days": 14,
        "cooldown_days": 90,
        "is_active": True,
    },
    {
        "name": "QBR every quarter",
        "trigger": "recurring",
        "milestone": None,
        "every_days": 91,
        "cta_type": "qbr",
        "priority": 3,
        "due_in_days": 21,
        "cooldown_days": 0,
        "is_active": False,
    },
]

# DESIGN §4.6: 60 × share of active days in 30 days + 40 × share of these key actions used in them.
HEALTH: dict[str, Any] = {
    "window_days": 30,
    "activity_weight": 60,
    "key_action_weight": 40,
    "key_actions": [
        "landing_page_published",
        "lead_qualified",
        "email_campaign_sent",
        "blog_post_published",
        "automation_flow_activated",
    ],
}

"""Default content: the seed's "content that helps" per buyer stage, and training per milestone.

Each resource has a `ref`; its URL (the natural key) is derived from it. Demo URLs use the reserved
.example domain."""

from typing import Any

ACADEMY = "https://academy.waypoint.example/"


def url_for(ref: str) -> str:
    return ACADEMY + ref


RESOURCES: list[dict[str, Any]] = [
    # Target → Education: problem-first content.
    {
        "ref": "inbound-glossary",
        "content_stage": "problem",
        "title": "The inbound marketing glossary",
        "kind": "blog_post",
        "summary": "The words of the problem, explained: leads, conversion, nurturing, attribution.",
        "stages": ["target", "education"],
    },
    {
        "ref": "state-of-inbound-report",
        "content_stage": "problem",
        "title": "State of Inbound 2026: trend report",
        "kind": "guide",
        "summary": "Benchmarks from 8,000 companies: where leads come from and what they cost.",
        "stages": ["target", "education"],
    },
    {
        "ref": "why-outbound-stalls",
        "content_stage": "problem",
        "title": "Why outbound alone stalls growth",
        "kind": "blog_post",
        "summary": "A point of view that frames the pain: rising acquisition costs and shrinking reply rates.",
        "stages": ["education"],
    },
    # Education → Solution: frameworks, ROI, success stories.
    {
        "ref": "inbound-playbook",
        "content_stage": "solution",
        "title": "The B2B inbound playbook",
        "kind": "guide",
        "summary": "A step-by-step framework, from the first landing page to a predictable pipeline.",
        "stages": ["education", "solution"],
    },
    {
        "ref": "roi-calculator",
        "content_stage": "solution",
        "title": "Inbound ROI calculator",
        "kind": "tool",
        "summary": "Estimate leads, deals and payback from your traffic and deal size.",
        "stages": ["solution", "ready_to_buy"],
    },
    {
        "ref": "success-story-before-after",
        "content_stage": "solution",
        "title": "Success story: from 10 to 400 leads a month",
        "kind": "case_study",
        "summary": "A before/after story of a mid-market software company.",
        "stages": ["solution"],
    },
    # Solution → Evaluation: comparisons, case studies by vertical, technical docs.
    {
        "ref": "comparison-status-quo",
        "content_stage": "evaluation",
        "title": "Waypoint compared with the status quo",
        "kind": "doc",
        "summary": "An honest comparison with spreadsheets, agencies and other platforms.",
        "stages": ["evaluation"],
    },
    {
        "ref": "case-studies-by-vertical",
        "content_stage": "evaluation",
        "title": "Case studies by vertical",
        "kind": "case_study",
        "summary": "Software, education, manufacturing and services customers in their own words.",
        "stages": ["evaluation"],
    },
    {
        "ref": "integration-guide",
        "content_stage": "evaluation",
        "title": "Integration guide",
        "kind": "doc",
        "summary": "CRM, website and analytics integrations, with setup times.",
        "stages": ["evaluation"],
    },
    # Evaluation → Ready to Buy: procurement, security, implementation.
    {
        "ref": "security-overview",
        "content_stage": "decision",
        "title": "Security and SOC 2 overview",
        "kind": "doc",
        "summary": "Controls, certifications and the data-processing agreement.",
        "stages": ["ready_to_buy"],
    },
    {
        "ref": "implementation-timeline",
        "content_stage": "decision",
        "title": "Implementation timeline and onboarding preview",
        "kind": "doc",
        "summary": "What happens in the first 90 days, week by week.",
        "stages": ["ready_to_buy"],
    },
    # Milestone training.
    {
        "ref": "install-tracking-code",
        "title": "Install the tracking code",
        "kind": "doc",
        "summary": "Add the snippet, verify visits, exclude internal traffic.",
        "milestones": ["lead-generation"],
    },
    {
        "ref": "landing-pages-that-convert",
        "title": "Landing pages that convert",
        "kind": "guide",
        "summary": "Structure, copy and forms of pages that convert above 15%.",
        "milestones": ["lead-generation", "conversion-improvement"],
    },
    {
        "ref": "lead-gen-campaign-template",
        "title": "Lead-generation campaign template",
        "kind": "template",
        "summary": "Offer, page, promotion plan and qualification rules on one sheet.",
        "milestones": ["lead-generation"],
    },
    {
        "ref": "first-campaign-webinar",
        "title": "Webinar: your first campaign in 30 days",
        "kind": "webinar",
        "summary": "A CSM walks through a real first campaign.",
        "milestones": ["lead-generation"],
    },
    {
        "ref": "email-for-small-lists",
        "title": "Email marketing for small lists",
        "kind": "guide",
        "summary": "Get value from a few hundred leads.",
        "milestones": ["email-marketing"],
    },
    {
        "ref": "email-templates",
        "title": "Email templates that get opened",
        "kind": "template",
        "summary": "Ten templates and fifty subject lines.",
        "milestones": ["email-marketing", "conversion-improvement"],
    },
    {
        "ref": "editorial-calendar",
        "title": "Editorial calendar template",
        "kind": "template",
        "summary": "Plan two months of posts around your buyers' questions.",
        "milestones": ["content-traffic", "content-cadence"],
    },
    {
        "ref": "seo-basics",
        "title": "SEO basics for inbound",
        "kind": "guide",
        "summary": "Keywords, structure and links, without jargon.",
        "milestones": ["content-traffic"],
    },
    {
        "ref": "nurture-flows",
        "title": "Automation flows that nurture",
        "kind": "guide",
        "summary": "Design, write and activate a first nurture flow.",
        "milestones": ["lead-nurturing"],
    },
    {
        "ref": "sales-handoff-basics",
        "title": "From lead to deal: hand-off basics",
        "kind": "video",
        "summary": "When and how to pass a lead to sales.",
        "milestones": ["lead-nurturing", "sales-hand-off"],
    },
    {
        "ref": "connect-your-crm",
        "title": "Connect your CRM",
        "kind": "doc",
        "summary": "Field mapping, sync rules and troubleshooting.",
        "milestones": ["crm-integration"],
    },
    {
        "ref": "lead-scoring-model",
        "title": "Lead scoring model template",
        "kind": "template",
        "summary": "Profile and engagement weights to start from.",
        "milestones": ["lead-scoring"],
    },
    {
        "ref": "sales-sla",
        "title": "Marketing–sales SLA template",
        "kind": "template",
        "summary": "Definitions, response times and a monthly review.",
        "milestones": ["sales-hand-off"],
    },
    {
        "ref": "scaling-content",
        "title": "Scaling content production",
        "kind": "guide",
        "summary": "Teams, freelancers and processes for a weekly cadence.",
        "milestones": ["content-cadence"],
    },
    {
        "ref": "forecasting-pipeline",
        "title": "Forecasting the inbound pipeline",
        "kind": "guide",
        "summary": "From traffic to revenue: a monthly model.",
        "milestones": ["predictable-pipeline", "inbound-at-scale"],
    },
    {
        "ref": "ab-testing",
        "title": "A/B testing landing pages and emails",
        "kind": "guide",
        "summary": "What to test first and how long to wait.",
        "milestones": ["conversion-improvement"],
    },
    {
        "ref": "inbound-at-scale-webinar",
        "title": "Webinar: inbound at scale",
        "kind": "webinar",
        "summary": "How three customers organised their teams past 100 deals a month.",
        "milestones": ["inbound-at-scale"],
    },
]


# Task lists per milestone key: (title, description, [resource refs]).
TASKS: dict[str, list[tuple[str, str, list[str]]]] = {
    "lead-generation": [
        (
            "Install the tracking code",
            "Add the tracking snippet to every page of your site and check that visits appear.",
            ["install-tracking-code"],
        ),
        (
            "Choose the offer of your first campaign",
            "An ebook, a checklist or a template your buyers want, in exchange for their contact details.",
            ["lead-gen-campaign-template"],
        ),
        (
            "Create and publish a landing page",
            "One page, one offer, one form. Publish it and test the form.",
            ["landing-pages-that-convert"],
        ),
        (
            "Promote the landing page",
            "Email signature, social posts, a blog post and a banner: aim for 50 leads.",
            ["first-campaign-webinar"],
        ),
        (
            "Qualify your first leads",
            "Agree what a qualified lead is and mark the first three.",
            ["lead-gen-campaign-template"],
        ),
    ],
    "email-marketing": [
        (
            "Segment your leads into a first list",
            "Start with the leads of your first campaign.",
            ["email-for-small-lists"],
        ),
        ("Write a campaign from a template", "One message, one call to action.", ["email-templates"]),
        ("Send two campaigns", "Two weeks apart; compare their open rates.", ["email-for-small-lists"]),
        ("Improve subject lines and clean bounces", "Raise the open rate above 20%.", ["email-templates"]),
    ],
    "content-traffic": [
        (
            "Build an editorial calendar",
            "Two months of topics your buyers search for.",
            ["editorial-calendar"],
        ),
        ("Publish a post every two weeks", "Four posts in sixty days.", ["editorial-calendar"]),
        ("Optimise posts for search", "Keywords, titles and meta descriptions.", ["seo-basics"]),
        ("Share every post", "Social networks and your email list.", ["seo-basics"]),
    ],
    "lead-nurturing": [
        ("Map your buyers' questions", "What leads ask before they buy, stage by stage.", ["nurture-flows"]),
        ("Create a nurture flow", "Three to five emails answering those questions.", ["nurture-flows"]),
        ("Activate the flow for new leads", "Every new lead enters the flow.", ["nurture-flows"]),
        ("Hand hot leads to sales", "Close the first inbound deal.", ["sales-handoff-basics"]),
    ],
    "crm-integration": [
        ("Choose the fields to sync", "Lead source, stage and owner at least.", ["connect-your-crm"]),
        ("Connect the CRM", "Turn on the integration and sync existing leads.", ["connect-your-crm"]),
        (
            "Check leads reach sales",
            "Qualified leads appear in the CRM within minutes.",
            ["connect-your-crm"],
        ),
    ],
    "lead-scoring": [
        ("Define your ideal customer profile", "Company size, industry, role.", ["lead-scoring-model"]),
        ("Build a lead scoring model", "Profile fit plus engagement.", ["lead-scoring-model"]),
        ("Review scores with sales", "Weekly, for a month; adjust the weights.", ["lead-scoring-model"]),
    ],
    "sales-hand-off": [
        ("Agree a marketing–sales SLA", "Who follows up, how fast, and what counts.", ["sales-sla"]),
        ("Route qualified leads automatically", "To the right rep, with context.", ["sales-sla"]),
        ("Track deals won from inbound", "Report them monthly.", ["sales-handoff-basics"]),
    ],
    "content-cadence": [
        ("Grow content capacity", "A writer, freelancers or an agency.", ["scaling-content"]),
        ("Publish every week", "Keep the calendar two months ahead.", ["editorial-calendar"]),
        ("Repurpose top posts into offers", "Turn traffic into leads.", ["scaling-content"]),
    ],
    "predictable-pipeline": [
        ("Set monthly lead and deal goals", "Work back from the revenue goal.", ["forecasting-pipeline"]),
        ("Build a pipeline dashboard", "Leads, qualified leads, deals, by month.", ["forecasting-pipeline"]),
        ("Review the funnel monthly", "Fix the weakest step first.", ["forecasting-pipeline"]),
    ],
    "conversion-improvement": [
        ("A/B test your top landing pages", "One change at a time.", ["ab-testing"]),
        ("Test email subject lines", "On every campaign.", ["email-templates"]),
        ("Improve the weakest funnel step", "Measure before and after.", ["ab-testing"]),
    ],
    "inbound-at-scale": [
        (
            "Specialise the marketing team",
            "Content, demand generation, operations.",
            ["inbound-at-scale-webinar"],
        ),
        ("Open new channels", "Partners, events, paid amplification.", ["inbound-at-scale-webinar"]),
        ("Report inbound revenue to leadership", "Quarterly, against goals.", ["forecasting-pipeline"]),
    ],
}


# The playbooks of the default CTA rules (milestones/defaults.py): (title, description, due offset in days
# after the CTA opens).
PLAYBOOKS: dict[str, list[tuple[str, str, int]]] = {
    "EBR for customers stuck at milestone 2": [
        ("Review the account", "Read the company page: the checklist, what is missing and recent usage.", 0),
        (
            "Prepare the EBR",
            "An analysis of their last campaigns and results, and a plan for the next steps.",
            3,
        ),
        ("Hold the EBR with the sponsor", "Agree on the plan to reach the milestone, with dates.", 7),
        ("Send the plan and the content that helps", "The success plan and its training content.", 10),
    ],
    "EBR for customers at the same milestone for more than 90 days": [
        ("Review the account", "What blocks the current milestone, and how health has moved.", 0),
        ("Hold the EBR with the sponsor", "Agree on what it takes to move, and by when.", 7),
        ("Follow up on the agreed plan", "Check the first steps were taken.", 14),
    ],
    "QBR every quarter": [
        ("Prepare the QBR", "Results of the quarter against the plan.", 0),
        ("Hold the QBR", "Review the quarter and agree on the next one's plan.", 14),
    ],
}

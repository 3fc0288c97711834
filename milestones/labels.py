"""A checklist criterion in words a customer understands, derived from the criterion itself: what it
measures (its subject), the comparator and the threshold. Nothing of the threshold is stored in words, so a
label stays true when an admin edits the threshold ("Email open rate: 12% or more" beside 0.12).

Shares (ratios, and metrics whose name ends in `_rate`) read as percentages; other numbers with thousands
separators."""

from __future__ import annotations

from dataclasses import dataclass

# The default vocabulary (DESIGN §10): what each product event and metric is called on a checklist.
# An admin names anything else on the criterion itself (its subject); without one, the name is spelled out.
SUBJECTS: dict[str, str] = {
    "tracking_code_installed": "Tracking code installed",
    "landing_page_published": "Landing pages published",
    "lead_created": "Leads created",
    "lead_qualified": "Qualified leads",
    "email_campaign_sent": "Email campaigns sent",
    "blog_post_published": "Blog posts published",
    "automation_flow_activated": "Automation flows activated",
    "crm_integration_connected": "CRM connected",
    "deal_won": "Deals won",
    "landing_page_conversion_rate": "Landing page conversion rate",
    "email_open_rate": "Email open rate",
    "monthly_visits": "Monthly visits",
}

# How each comparator reads after the subject: "Leads created: 50 or more".
PHRASES: dict[str, str] = {
    "gte": "{} or more",
    "gt": "more than {}",
    "lte": "{} or less",
    "lt": "less than {}",
    "eq": "exactly {}",
}


def subject_of(name: str) -> str:
    """The customer's words for an event or metric name: the vocabulary's, else the name spelled out."""
    return SUBJECTS.get(name) or name.replace("_", " ").strip().capitalize()


def is_share(*, kind: str, metric: str) -> bool:
    """Ratios, and metrics named `…_rate`, are shares of 1: shown as percentages."""
    return kind == "ratio" or (kind == "metric" and metric.endswith("_rate"))


def number_text(value: float, *, share: bool) -> str:
    """0.12 → "12%" for a share; 1234567 → "1,234,567"; 2.5 → "2.5": whole, never in scientific notation,
    at most two decimals."""
    shown = value * 100 if share else value
    if abs(shown) < 1e15 and shown == int(shown):
        text = f"{int(shown):,}"
    else:
        text = f"{shown:,.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if share else text


@dataclass(frozen=True)
class LabelParts:
    kind: str
    event_name: str
    denominator_event_name: str
    metric: str
    comparator: str
    threshold: float
    window_days: int | None
    min_denominator: int
    subject: str = ""
    condition: str = ""  # the property condition in words ("source = inbound"), or ""


def criterion_label(parts: LabelParts) -> str:
    """e.g. "Email open rate: 12% or more", "Blog posts published in 60 days: 4 or more",
    "Qualified leads out of leads created in 90 days: 15% or more (with 100 or more leads created)"."""
    share = is_share(kind=parts.kind, metric=parts.metric)
    if parts.kind == "metric":
        subject = parts.subject or subject_of(parts.metric)
    elif parts.kind == "ratio":
        subject = parts.subject or (
            f"{subject_of(parts.event_name)} out of {subject_of(parts.denominator_event_name).lower()}"
        )
    else:
        subject = parts.subject or subject_of(parts.event_name)
    if parts.condition:
        subject += f" (where {parts.condition})"
    if parts.window_days and parts.kind != "metric":
        subject += f" in {parts.window_days} days"
    phrase = PHRASES.get(parts.comparator, "{}").format(number_text(parts.threshold, share=share))
    text = f"{subject}: {phrase}"
    if parts.kind == "ratio":
        bottom = subject_of(parts.denominator_event_name).lower()
        text += f" (with {parts.min_denominator:,} or more {bottom})"
    return text

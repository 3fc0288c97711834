"""Reads of content."""

from __future__ import annotations

from content.models import Resource


def resource_content_stages() -> dict[str, str]:
    """URL → content stage (problem, solution…) of the resources that have one: an event whose
    `resource_url` names one of them is content of that stage (the velocity bonus, DESIGN §3.4)."""
    return dict(Resource.objects.exclude(content_stage="").values_list("url", "content_stage"))

"""The methodology portal: a page per milestone, the links that share it with a customer, and the shared
page itself, which opens without a login and shows the methodology only (no company, no internal link)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from milestones.models import Milestone
from playbooks.selectors import milestone_detail, milestone_shared, share_links
from playbooks.services import share_link_create, share_link_revoke


def milestone_page(request: HttpRequest, key: str) -> HttpResponse:
    """One milestone: its checklist in the customer's words, its task list and content, and its share links.
    Creating a link (POST) shows its address once: only a digest of the token is stored."""
    milestone = get_object_or_404(Milestone, key=key)
    new_link = ""
    if request.method == "POST":
        _, token = share_link_create(
            user=request.user, milestone_id=milestone.pk, note=request.POST.get("note", "")
        )
        new_link = request.build_absolute_uri(reverse("web:milestone_shared", args=[token]))
    return render(
        request,
        "web/portal/milestone.html",
        {
            "milestone": milestone_detail(milestone.pk),
            "links": share_links(user=request.user).filter(milestone=milestone)[:50],
            "new_link": new_link,
        },
    )


def share_link_list(request: HttpRequest) -> HttpResponse:
    """The share links the user made (managers and admins: every one), to review and revoke."""
    return render(request, "web/portal/share_links.html", {"links": share_links(user=request.user)[:500]})


@require_POST
def share_link_revoke_view(request: HttpRequest, link_id: int) -> HttpResponse:
    link = share_link_revoke(user=request.user, link_id=link_id)
    back = request.POST.get("next") == "milestone"
    return redirect(reverse("web:milestone_page", args=[link.milestone.key]) if back else "web:share_links")


@login_not_required
@never_cache
def milestone_shared_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page a customer opens from a share link: the milestone, its checklist, tasks and content. An
    unknown or revoked link is a plain 404. Kept out of search engines, and the token is not passed on
    to the content it links to."""
    milestone = milestone_shared(token=token)
    if milestone is None:
        raise Http404("This link does not exist or was revoked.")
    response = render(request, "web/portal/shared_milestone.html", {"milestone": milestone})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response

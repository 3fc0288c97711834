from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import Role


def home(request: HttpRequest) -> HttpResponse:
    """Send each role where its work is: CSMs to their queue, managers and admins to the funnel."""
    role = request.user.role
    if role == Role.CSM:
        return redirect("web:queue")
    if role in (Role.MANAGER, Role.ADMIN):
        return redirect("web:funnel")
    return render(request, "accounts/no_role.html", status=403)

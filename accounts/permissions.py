"""Who may call the API (DESIGN §8): a signed-in user with a Waypoint role. What each role sees is the
queryset's business (Company.objects.visible_to); these classes only gate whole operations."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """Signed in with a role. Without credentials DRF turns the refusal into a 401; a user without a role
    (who would see nothing) gets a 403 that says why."""

    message = "Your account has no Waypoint role (CSM, manager or admin); ask an admin for one."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role is not None)


class IsManagerOrAdmin(BasePermission):
    message = "Only managers and admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.sees_everyone)

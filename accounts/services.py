from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, Notification, User
from accounts.roles import GROUP_NAMES, Role, permission_codes_for
from core.secrets import secret_new

# A token's last use is written at most this often: a write per request would cost more than the request.
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)


@transaction.atomic
def roles_sync() -> None:
    """Create the three role groups and give them exactly their permissions (idempotent)."""
    for role, group_name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        condition = Q(pk__in=[])
        for app_label, codes in permission_codes_for(role).items():
            if codes == "all":
                condition |= Q(content_type__app_label=app_label)
            elif codes == "view":
                condition |= Q(content_type__app_label=app_label, codename__startswith="view_")
            else:
                condition |= Q(content_type__app_label=app_label, codename__in=codes)
        group.permissions.set(Permission.objects.filter(condition))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    # post_migrate fires once per app, and Django creates each app's permissions on that app's signal:
    # sync on the last app's signal, when every permission row exists.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        roles_sync()


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A user with one role. Admins are staff so they can use Django admin."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (these ids, or all); returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for the user, and its secret (shown once: only its digest is stored)."""
    token = ApiToken(user=user, name=name)
    return token, api_token_issue(token=token)


def api_token_issue(*, token: ApiToken) -> str:
    """Give an unsaved token (user and name set, e.g. by the admin form) a new secret and save it; returns
    the secret."""
    secret, token.prefix, token.digest = secret_new("wpt")
    token.full_clean()
    token.save()
    return secret


def api_tokens_revoke(*, tokens: QuerySet[ApiToken]) -> int:
    """Revoke the tokens not revoked yet; returns how many were. Takes effect on the next request."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record that the token was used, unless that was done in the last minute. The conditional UPDATE makes
    concurrent requests write once between them."""
    now = timezone.now()
    stale = now - TOKEN_USE_RECORDED_EVERY
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now

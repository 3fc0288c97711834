from __future__ import annotations

from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, Cover, Notification, User
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


def _may_manage_cover(by: User, csm: User) -> bool:
    """A CSM sets their own cover; managers and admins anyone's."""
    return by.sees_everyone or (by.role == Role.CSM and by.pk == csm.pk)


@transaction.atomic
def cover_set(*, csm: User, covered_by: User, starts_on: date, ends_on: date, by: User) -> Cover:
    """Record that `covered_by` covers for `csm` from `starts_on` to `ends_on` (both included). A CSM's
    periods never overlap: the CSM's row is locked while the check and the insert run, so two requests at
    once cannot both pass the check."""
    if not _may_manage_cover(by, csm):
        raise PermissionDenied("Only managers set another CSM's cover.")
    errors = {}
    if csm.role != Role.CSM:
        errors["csm"] = "Only CSMs have accounts to cover."
    if covered_by.role != Role.CSM:
        errors["covered_by"] = "Only a CSM can cover for a CSM."
    elif covered_by.pk == csm.pk:
        errors["covered_by"] = "Someone else covers for you."
    if ends_on < starts_on:
        errors["ends_on"] = "The cover ends on or after the day it starts."
    if errors:
        raise ValidationError(errors)
    User.objects.select_for_update().get(pk=csm.pk)
    overlap = Cover.objects.filter(csm=csm, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlap is not None:
        raise ValidationError(
            {
                "starts_on": f"{csm.display_name} is already covered by {overlap.covered_by.display_name} "
                f"from {overlap.starts_on:%b %-d} to {overlap.ends_on:%b %-d, %Y}."
            }
        )
    return Cover.objects.create(
        csm=csm, covered_by=covered_by, starts_on=starts_on, ends_on=ends_on, created_by=by
    )


@transaction.atomic
def cover_end(*, cover: Cover, by: User, day: date) -> Cover | None:
    """End a cover early: it lasts through the day before `day` (a cover that had not started is removed).
    Returns the shortened cover, or None when it was removed."""
    if not _may_manage_cover(by, cover.csm):
        raise PermissionDenied("Only managers end another CSM's cover.")
    cover = Cover.objects.select_for_update().get(pk=cover.pk)
    if cover.starts_on >= day:
        cover.delete()
        return None
    if cover.ends_on >= day:
        cover.ends_on = day - timedelta(days=1)
        cover.save(update_fields=["ends_on"])
    return cover

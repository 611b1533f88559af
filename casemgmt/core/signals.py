"""Audit receivers for authentication and for changes to who may do what.

Role, membership and object-permission changes are made in the admin as well
as by services, so they are audited where every path meets: the model signals.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from guardian.models import GroupObjectPermission, UserObjectPermission

from .audit import audit_record
from .models import AuditOutcome, CourtMembership, User


@receiver(user_logged_in, dispatch_uid="core.audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    audit_record(action="auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="core.audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is None:  # the session had already ended
        return
    reason = getattr(request, "logout_reason", "user")
    audit_record(
        action="auth.logout", actor=user, obj=user, request=request, details={"reason": reason}
    )


@receiver(user_login_failed, dispatch_uid="core.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Axes' receiver ran first (axes precedes core in INSTALLED_APPS) and marked the request.
    username = (credentials or {}).get("username", "") or ""
    user = User.objects.filter(username=username).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    # axes_failures_since_start is set only when this failure was counted: the
    # failure that reaches the limit is the one that locks the account.
    just_locked = locked and getattr(request, "axes_failures_since_start", None) is not None
    action = "auth.lockout" if just_locked else "auth.login_failed"
    audit_record(
        action=action,
        actor=None,
        actor_username=username,
        obj=user,
        outcome=AuditOutcome.DENIED,
        request=request,
        details={
            "reason": "locked_out" if locked and not just_locked else "bad_credentials",
            "failures": getattr(request, "axes_failures_since_start", None),
        },
    )


_WATCHED_USER_FIELDS = ("role", "is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User, dispatch_uid="core.user_remember_grants")
def _remember_user_grants(sender, instance: User, **kwargs) -> None:
    if instance.pk is None:
        instance._grants_before = None
        return
    instance._grants_before = (
        User.objects.filter(pk=instance.pk).values(*_WATCHED_USER_FIELDS).first()
    )


@receiver(post_save, sender=User, dispatch_uid="core.user_audit_grants")
def _audit_user_grants(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if created:
        audit_record(
            action="user.create",
            obj=instance,
            details={f: getattr(instance, f) for f in _WATCHED_USER_FIELDS},
        )
        return
    before = getattr(instance, "_grants_before", None) or {}
    changes = {
        f: [before.get(f), getattr(instance, f)]
        for f in _WATCHED_USER_FIELDS
        if f in before and before[f] != getattr(instance, f)
    }
    if changes:
        audit_record(action="user.role_change", obj=instance, details={"changes": changes})


@receiver(post_save, sender=CourtMembership, dispatch_uid="core.membership_grant")
def _audit_membership_grant(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        audit_record(
            action="user.court_grant",
            obj=instance.user,
            court=instance.court,
            details={"court": instance.court.code},
        )


@receiver(post_delete, sender=CourtMembership, dispatch_uid="core.membership_revoke")
def _audit_membership_revoke(sender, instance, **kwargs) -> None:
    audit_record(
        action="user.court_revoke",
        obj=instance.user,
        court=instance.court,
        details={"court": instance.court.code},
    )


def _permission_details(instance) -> dict:
    permission = instance.permission
    return {
        "permission": f"{permission.content_type.app_label}.{permission.codename}",
        "content_type": instance.content_type.model,
        "object_pk": instance.object_pk,
        "holder": str(getattr(instance, "user", None) or getattr(instance, "group", "")),
    }


@receiver(post_save, sender=UserObjectPermission, dispatch_uid="core.objperm_grant_user")
@receiver(post_save, sender=GroupObjectPermission, dispatch_uid="core.objperm_grant_group")
def _audit_object_grant(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        audit_record(action="grant.assign", details=_permission_details(instance))


@receiver(post_delete, sender=UserObjectPermission, dispatch_uid="core.objperm_revoke_user")
@receiver(post_delete, sender=GroupObjectPermission, dispatch_uid="core.objperm_revoke_group")
def _audit_object_revoke(sender, instance, **kwargs) -> None:
    audit_record(action="grant.remove", details=_permission_details(instance))

"""Audit events for changes of users, groups and permissions, whoever makes them.

Memberships and API tokens are audited by the services that change them (territory.services,
api.tokens); users, groups and their permissions are changed by Django's own admin pages, by
`createsuperuser`, by the role sync and the demo loader, so they are audited here, from Django's
signals (post_save, post_delete, m2m_changed), in the chain of the user or group changed
(`auth.user:<id>`, `auth.group:<id>`), when the change is made in a request by a signed-in user
(the admin's user and group pages, a password change), who is the event's actor. Changes made
in code outside requests (the demo loader, `sync_roles`, tests' factories) are not: the
services that seat people on commissions and issue tokens record their own events, and a
person at a shell or running `createsuperuser` already owns the database.

What is recorded: who was created or deleted, which fields changed (the values of the flags
is_active, is_staff and is_superuser and of the user name; never a password or its hash: only
that it changed), and which groups or permissions were added or removed. A login's `last_login`
update is not a change worth a record.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import audit
from .logging import current_user

User = get_user_model()

_WATCHED = ("username", "is_active", "is_staff", "is_superuser", "first_name", "last_name", "email")
_SHOWN = ("username", "is_active", "is_staff", "is_superuser")
_IGNORED_UPDATES = {"last_login"}


def _record(action, obj, data):
    actor = current_user()
    if actor is None:
        return
    with transaction.atomic():
        audit.record(actor=actor, action=action, obj=obj, data=data)


@receiver(pre_save, sender=User, dispatch_uid="electadmin_audit_user_before")
def _remember_user(sender, instance, update_fields=None, raw=False, **kwargs):
    if (
        raw
        or current_user() is None
        or instance.pk is None
        or (update_fields and set(update_fields) <= _IGNORED_UPDATES)
    ):
        instance._audit_before = None
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*_WATCHED, "password").first()


@receiver(post_save, sender=User, dispatch_uid="electadmin_audit_user_saved")
def _user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created:
        _record("user.created", instance, {field: getattr(instance, field) for field in _SHOWN})
        return
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    changes = {}
    for field in _WATCHED:
        old, new = before[field], getattr(instance, field)
        if old != new:
            changes[field] = [old, new] if field in _SHOWN else "changed"
    if before["password"] != instance.password:
        changes["password"] = "changed"
    if changes:
        _record("user.changed", instance, {"changes": changes})


@receiver(post_delete, sender=User, dispatch_uid="electadmin_audit_user_deleted")
def _user_deleted(sender, instance, **kwargs):
    _record("user.deleted", instance, {"username": instance.username})


@receiver(post_save, sender=Group, dispatch_uid="electadmin_audit_group_saved")
def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        _record("group.created" if created else "group.changed", instance, {"name": instance.name})


@receiver(post_delete, sender=Group, dispatch_uid="electadmin_audit_group_deleted")
def _group_deleted(sender, instance, **kwargs):
    _record("group.deleted", instance, {"name": instance.name})


def _names(model, pks):
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(model.objects.filter(pk__in=pks).values_list("name", flat=True))


def _membership_changed(kind):
    """A receiver of m2m_changed for user.groups, user.user_permissions or group.permissions."""

    def receiver_(sender, instance, action, reverse, model, pk_set, **kwargs):
        if current_user() is None:
            return
        if action == "pre_clear":
            # What a clear removes is known only before it.
            instance._audit_cleared = set(getattr(instance, kind).values_list("pk", flat=True)) if not reverse else None
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_audit_cleared", None)
            if not pk_set:
                return
        if not pk_set:
            return
        verb = "added" if action == "post_add" else "removed"
        if reverse:
            # e.g. group.user_set.add(user): one event in each user's (or group's) chain.
            owner_model = User if kind == "groups" else (Group if kind == "permissions" else User)
            prefix = "group" if owner_model is Group else "user"
            for owner in owner_model.objects.filter(pk__in=pk_set):
                _record(f"{prefix}.{kind}_{verb}", owner, {kind: _names(type(instance), [instance.pk])})
            return
        prefix = "group" if isinstance(instance, Group) else "user"
        _record(f"{prefix}.{kind}_{verb}", instance, {kind: _names(model, pk_set)})

    return receiver_


m2m_changed.connect(
    _membership_changed("groups"), sender=User.groups.through, weak=False, dispatch_uid="electadmin_audit_user_groups"
)
m2m_changed.connect(
    _membership_changed("user_permissions"),
    sender=User.user_permissions.through,
    weak=False,
    dispatch_uid="electadmin_audit_user_permissions",
)
m2m_changed.connect(
    _membership_changed("permissions"),
    sender=Group.permissions.through,
    weak=False,
    dispatch_uid="electadmin_audit_group_permissions",
)

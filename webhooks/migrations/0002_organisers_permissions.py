"""Organisers manage webhooks (their own systems' addresses and secrets), read the delivery log
and send deliveries again.

Not granted: adding, editing or deleting log entries (the record of what was sent).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "organisers"
APP_LABEL = "webhooks"
CODENAMES = [
    "add_webhook",
    "change_webhook",
    "delete_webhook",
    "view_webhook",
    "view_webhookdelivery",
    # "retry now" in the delivery log; the entries themselves stay read-only there
    "change_webhookdelivery",
]


def grant(apps, schema_editor):
    # On a fresh database the permissions are made by post_migrate, after every migration has
    # run; make them now so the group can be given them.
    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(
            content_type__app_label=APP_LABEL, codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group = Group.objects.using(db).filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.using(db).filter(content_type__app_label=APP_LABEL)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("agenda", "0002_organisers_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]

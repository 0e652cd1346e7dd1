"""Organisers may scan, undo check-ins, re-issue badges, manage devices and read the scan log.

Not granted: deleting anything (badges, check-ins and scans are the record of who came in), and
seeing attendees' accessibility needs at the door, which is given person by person.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "organisers"
APP_LABEL = "badges"
CODENAMES = [
    "view_badge",
    "change_badge",
    "add_checkin",
    "change_checkin",
    "view_checkin",
    "add_device",
    "change_device",
    "view_device",
    "view_scanlog",
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
        ("badges", "0002_checkin_device_scanlog"),
        ("agenda", "0002_organisers_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]

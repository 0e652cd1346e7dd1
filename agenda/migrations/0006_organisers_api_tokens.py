"""Organisers may issue, change, see and revoke their own API tokens (the admin shows a
non-superuser only their own). Not granted: deleting a token, which is revoked instead.

The group got every right on the agenda's models when it was made (0002); a model added later
needs its rights given here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "organisers"
APP_LABEL = "agenda"
CODENAMES = ["add_apitoken", "change_apitoken", "view_apitoken"]


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
            *Permission.objects.using(db).filter(
                content_type__app_label=APP_LABEL, codename__endswith="_apitoken"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0005_api_token"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]

"""The ``organisers`` group: full rights on events, agenda, people and organisations.

It deliberately gets no rights on user accounts or groups, which stay with superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "organisers"
APP_LABELS = ("agenda", "members")
ACTIONS = ("add", "change", "delete", "view")


def create_organisers_group(apps, schema_editor):
    # On a fresh database the permissions are made by post_migrate, after every migration has
    # run; make them now so the group can be given them.
    for label in APP_LABELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(
            app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps
        )
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    codenames = [
        f"{action}_{model._meta.model_name}"
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        for action in ACTIONS
    ]
    permissions = Permission.objects.using(db).filter(
        content_type__app_label__in=APP_LABELS, codename__in=codenames
    )
    group.permissions.add(*permissions)


def remove_organisers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0001_initial"),
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_organisers_group, remove_organisers_group),
    ]

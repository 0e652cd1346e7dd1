"""A group for the few organisers who need attendees' needs and sensitive answers.

``registrations.view_special_category`` is deliberately not given to the ``organisers`` group:
accessibility and dietary needs can reveal health or religion (GDPR Art. 9), so they are shown
only to those who plan the venue and the catering, added to this group one by one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "special-category data"
CODENAME = "view_special_category"


def create_group(apps, schema_editor):
    # On a fresh database the permissions are made by post_migrate, after every migration has
    # run; make them now so the group can be given them.
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(
            content_type__app_label="registrations", codename=CODENAME
        )
    )


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_consent_sensitive_questions_anonymisation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
    ]

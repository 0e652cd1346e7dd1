import secrets

from django.db import migrations


def fill_tokens(apps, schema_editor):
    # Each existing person needs a token of their own before the column can be unique.
    Person = apps.get_model("members", "Person")
    for person in Person.objects.filter(calendar_token__isnull=True).only("pk").iterator():
        Person.objects.filter(pk=person.pk).update(calendar_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_person_calendar_token"),
    ]

    operations = [
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
    ]

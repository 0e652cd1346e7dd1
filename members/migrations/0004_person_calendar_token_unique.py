from django.db import migrations, models

import members.models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_fill_calendar_tokens"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="calendar_token",
            field=models.CharField(
                default=members.models.new_calendar_token,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
    ]

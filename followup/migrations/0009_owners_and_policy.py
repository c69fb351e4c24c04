"""Each site's follow-up policy says which visits get the quick touch, and the 7-day call or the survey link."""

from django.db import migrations, models


def written_to_callback(apps, schema_editor):
    apps.get_model("followup", "FollowupPolicy").objects.filter(survey_for_written_channels=True).update(callback="survey_written")


def callback_to_written(apps, schema_editor):
    apps.get_model("followup", "FollowupPolicy").objects.filter(callback="survey_written").update(survey_for_written_channels=True)


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0008_system_texts_as_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="followuppolicy",
            name="quick_touch",
            field=models.BooleanField(default=True, verbose_name="quick touch (a one-tap rating 24 to 72 hours after the handover)"),
        ),
        migrations.AddField(
            model_name="followuppolicy",
            name="callback",
            field=models.CharField(
                choices=[
                    ("call", "A call to every customer (the survey link after three unanswered calls)"),
                    ("survey_written", "The survey link to customers who prefer SMS or e-mail, a call to the others"),
                    ("survey", "The survey link to every customer"),
                ],
                default="call",
                max_length=20,
                verbose_name="on day 7",
            ),
        ),
        migrations.RunPython(written_to_callback, callback_to_written),
        migrations.RemoveField(model_name="followuppolicy", name="survey_for_written_channels"),
    ]

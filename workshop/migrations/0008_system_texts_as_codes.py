from django.db import migrations, models

from aftersales.lib.system_texts import convert_old_texts, restore_old_texts


def convert(apps, schema_editor):
    """Old notes and notifications, written in the language active when they were made, become codes shown in the
    reader's language."""
    from workshop import system_texts as texts

    convert_old_texts(apps.get_model("workshop", "WorkOrderEvent"), "note", [texts.SIGNED, texts.ALL_JOBS_DONE])
    convert_old_texts(apps.get_model("workshop", "AdvisorNotification"), "text", [texts.READY_FOR_INVOICING])


def restore(apps, schema_editor):
    restore_old_texts(apps.get_model("workshop", "WorkOrderEvent"), "note")
    restore_old_texts(apps.get_model("workshop", "AdvisorNotification"), "text")


class Migration(migrations.Migration):

    dependencies = [
        ("workshop", "0007_checklist_and_bay_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="advisornotification",
            name="text_code",
            field=models.CharField(blank=True, max_length=60, verbose_name="message code"),
        ),
        migrations.AddField(
            model_name="advisornotification",
            name="text_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="message parameters"),
        ),
        migrations.AlterField(
            model_name="advisornotification",
            name="text",
            field=models.CharField(blank=True, max_length=300, verbose_name="text"),
        ),
        migrations.AddField(
            model_name="workorderevent",
            name="note_code",
            field=models.CharField(blank=True, max_length=60, verbose_name="message code"),
        ),
        migrations.AddField(
            model_name="workorderevent",
            name="note_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="message parameters"),
        ),
        migrations.RunPython(convert, restore),
    ]

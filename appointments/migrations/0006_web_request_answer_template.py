"""The ``web_request_answer`` message (staff's answer to a web or e-mail request) in the four languages.

Like the messaging defaults, an existing text (edited by a manager) is never overwritten.
"""

from django.db import migrations

KEY = "web_request_answer"
TEXTS = {
    "en": (
        "Your message to {{ site.name }}",
        "Hello {{ customer }},\n\n{{ answer }}\n{% if link %}\nBook your visit online: {{ link }}\n{% endif %}\n"
        "Kind regards,\nYour {{ site.name }} service team",
        "{{ site.name }}: {{ answer }}{% if link %} Book online: {{ link }}{% endif %}",
    ),
    "fr": (
        "Votre message à {{ site.name }}",
        "Bonjour {{ customer }},\n\n{{ answer }}\n{% if link %}\nPrenez rendez-vous en ligne : {{ link }}\n{% endif %}\n"
        "Cordialement,\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : {{ answer }}{% if link %} Rendez-vous en ligne : {{ link }}{% endif %}",
    ),
    "ru": (
        "Ваше сообщение в {{ site.name }}",
        "Здравствуйте, {{ customer }}!\n\n{{ answer }}\n{% if link %}\nЗапишитесь онлайн: {{ link }}\n{% endif %}\n"
        "С уважением,\nСервисная служба {{ site.name }}",
        "{{ site.name }}: {{ answer }}{% if link %} Запись онлайн: {{ link }}{% endif %}",
    ),
    "zh-hans": (
        "您发给{{ site.name }}的留言",
        "{{ customer }}，您好！\n\n{{ answer }}\n{% if link %}\n在线预约：{{ link }}\n{% endif %}\n"
        "此致\n{{ site.name }}售后服务团队",
        "{{ site.name }}：{{ answer }}{% if link %} 在线预约：{{ link }}{% endif %}",
    ),
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for language, (subject, body_text, sms_body) in TEXTS.items():
        MessageTemplate.objects.get_or_create(
            key=KEY, language=language, defaults={"subject": subject, "body_text": body_text, "sms_body": sms_body}
        )


def unseed(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(key=KEY, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0005_web_request"),
        ("messaging", "0002_seed_default_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

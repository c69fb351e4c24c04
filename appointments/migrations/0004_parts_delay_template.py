"""The ``parts_delay`` message (a part will be missing on the appointment day) in the four languages.

Like the messaging defaults, an existing text (edited by a manager) is never overwritten.
"""

from django.db import migrations

KEY = "parts_delay"
TEXTS = {
    "en": (
        "Your appointment on {{ start|date:'DATETIME_FORMAT' }}: a part is delayed",
        "Hello {{ customer }},\n\nA part needed for your {{ vehicle }} will not reach {{ site.name }} in time for your "
        "appointment on {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).\n\nWe will call you to agree on what suits you best; "
        "you can also call us or use this link: {{ link }}\n\nPlease accept our apologies.\nYour {{ site.name }} service team",
        "{{ site.name }}: a part for your {{ vehicle }} is delayed for your appointment on "
        "{{ start|date:'SHORT_DATETIME_FORMAT' }}. We will call you. {{ link }}",
    ),
    "fr": (
        "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} : une pièce est en retard",
        "Bonjour {{ customer }},\n\nUne pièce nécessaire pour votre {{ vehicle }} n'arrivera pas chez {{ site.name }} à temps "
        "pour votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).\n\nNous vous appellerons pour convenir "
        "de la meilleure solution ; vous pouvez aussi nous appeler ou utiliser ce lien : {{ link }}\n\n"
        "Veuillez nous en excuser.\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : une pièce pour votre {{ vehicle }} est en retard pour votre rendez-vous du "
        "{{ start|date:'SHORT_DATETIME_FORMAT' }}. Nous vous appelons. {{ link }}",
    ),
    "ru": (
        "Ваша запись на {{ start|date:'DATETIME_FORMAT' }}: задерживается запчасть",
        "Здравствуйте, {{ customer }}!\n\nЗапчасть для вашего автомобиля {{ vehicle }} не поступит в {{ site.name }} к вашей "
        "записи на {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).\n\nМы позвоним вам, чтобы договориться об удобном "
        "решении; вы также можете позвонить нам или перейти по ссылке: {{ link }}\n\nПриносим извинения.\n"
        "Сервисная служба {{ site.name }}",
        "{{ site.name }}: запчасть для {{ vehicle }} задерживается к записи на {{ start|date:'SHORT_DATETIME_FORMAT' }}. "
        "Мы вам позвоним. {{ link }}",
    ),
    "zh-hans": (
        "您{{ start|date:'DATETIME_FORMAT' }}的预约：配件延迟到货",
        "{{ customer }}，您好！\n\n您的{{ vehicle }}所需的配件（{{ parts }}）无法在{{ start|date:'DATETIME_FORMAT' }}"
        "预约前送达{{ site.name }}。\n\n我们会致电与您商定最合适的安排；您也可以致电我们或使用此链接：{{ link }}\n\n"
        "敬请谅解。\n{{ site.name }}售后服务团队",
        "{{ site.name }}：您的{{ vehicle }}在{{ start|date:'SHORT_DATETIME_FORMAT' }}预约所需配件延迟到货，我们会致电您。{{ link }}",
    ),
}


def seed(apps, schema_editor):
    from aftersales.messaging.catalogue import seed_default_templates

    seed_default_templates(apps.get_model("messaging", "MessageTemplate"), templates={KEY: TEXTS})


def unseed(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(key=KEY, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0003_parts_stock_and_loaner_confirmation"),
        ("messaging", "0002_seed_default_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

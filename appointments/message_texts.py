"""Default texts of the messages booking sends from its own types, in the four languages.

``parts_delay`` (a part will be missing on the appointment day) was seeded by migration 0004; migration 0013
gives it the expected arrival date. Like the messaging defaults, a text a manager edited is never overwritten.
"""

from aftersales.messaging.catalogue import seed_default_templates

PARTS_DELAY_TEMPLATE = "parts_delay"
PARTS_DELAY_TEXTS = {
    "en": (
        "Your appointment on {{ start|date:'DATETIME_FORMAT' }}: a part is delayed",
        "Hello {{ customer }},\n\nA part needed for your {{ vehicle }} will not reach {{ site.name }} in time for your "
        "appointment on {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).{% if expected %} We expect it on "
        "{{ expected|date:'DATE_FORMAT' }}.{% endif %}\n\nWe will call you to agree on what suits you best; "
        "you can also call us or use this link: {{ link }}\n\nPlease accept our apologies.\nYour {{ site.name }} service team",
        "{{ site.name }}: a part for your {{ vehicle }} is delayed for your appointment on "
        "{{ start|date:'SHORT_DATETIME_FORMAT' }}{% if expected %} (expected on {{ expected|date:'DATE_FORMAT' }}){% endif %}. "
        "We will call you. {{ link }}",
    ),
    "fr": (
        "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} : une pièce est en retard",
        "Bonjour {{ customer }},\n\nUne pièce nécessaire pour votre {{ vehicle }} n'arrivera pas chez {{ site.name }} à temps "
        "pour votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).{% if expected %} Sa livraison est "
        "prévue le {{ expected|date:'DATE_FORMAT' }}.{% endif %}\n\nNous vous appellerons pour convenir "
        "de la meilleure solution ; vous pouvez aussi nous appeler ou utiliser ce lien : {{ link }}\n\n"
        "Veuillez nous en excuser.\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : une pièce pour votre {{ vehicle }} est en retard pour votre rendez-vous du "
        "{{ start|date:'SHORT_DATETIME_FORMAT' }}{% if expected %} (livraison prévue le {{ expected|date:'DATE_FORMAT' }}){% endif %}. "
        "Nous vous appelons. {{ link }}",
    ),
    "ru": (
        "Ваша запись на {{ start|date:'DATETIME_FORMAT' }}: задерживается запчасть",
        "Здравствуйте, {{ customer }}!\n\nЗапчасть для вашего автомобиля {{ vehicle }} не поступит в {{ site.name }} к вашей "
        "записи на {{ start|date:'DATETIME_FORMAT' }} ({{ parts }}).{% if expected %} Поступление ожидается "
        "{{ expected|date:'DATE_FORMAT' }}.{% endif %}\n\nМы позвоним вам, чтобы договориться об удобном "
        "решении; вы также можете позвонить нам или перейти по ссылке: {{ link }}\n\nПриносим извинения.\n"
        "Сервисная служба {{ site.name }}",
        "{{ site.name }}: запчасть для {{ vehicle }} задерживается к записи на {{ start|date:'SHORT_DATETIME_FORMAT' }}"
        "{% if expected %} (поступление ожидается {{ expected|date:'DATE_FORMAT' }}){% endif %}. Мы вам позвоним. {{ link }}",
    ),
    "zh-hans": (
        "您{{ start|date:'DATETIME_FORMAT' }}的预约：配件延迟到货",
        "{{ customer }}，您好！\n\n您的{{ vehicle }}所需的配件（{{ parts }}）无法在{{ start|date:'DATETIME_FORMAT' }}"
        "预约前送达{{ site.name }}。{% if expected %}预计到货日期：{{ expected|date:'DATE_FORMAT' }}。{% endif %}\n\n"
        "我们会致电与您商定最合适的安排；您也可以致电我们或使用此链接：{{ link }}\n\n"
        "敬请谅解。\n{{ site.name }}售后服务团队",
        "{{ site.name }}：您的{{ vehicle }}在{{ start|date:'SHORT_DATETIME_FORMAT' }}预约所需配件延迟到货"
        "{% if expected %}（预计{{ expected|date:'DATE_FORMAT' }}到货）{% endif %}，我们会致电您。{{ link }}",
    ),
}
TEXTS = {PARTS_DELAY_TEMPLATE: PARTS_DELAY_TEXTS}


def seed_message_texts(template_model, keys=tuple(TEXTS)) -> int:
    return seed_default_templates(template_model, templates={key: TEXTS[key] for key in keys})


def refresh_message_texts(template_model, keys=tuple(TEXTS)) -> int:
    """Put the current default texts in place of the earlier defaults (never of a text a manager edited)."""
    refreshed = 0
    for key in keys:
        for language, (subject, body_text, sms_body) in TEXTS[key].items():
            refreshed += template_model.objects.filter(key=key, language=language, updated_by__isnull=True).update(
                subject=subject, body_text=body_text, sms_body=sms_body
            )
    return refreshed

"""Default texts of the messages the workshop sends, in the four languages (seeded by migrations 0002 and 0004).

Like the messaging defaults, an existing text (edited by a manager) is never overwritten.
"""

from aftersales.messaging.catalogue import seed_default_templates

SIGNATURE_TEMPLATE = "work_order_signature"
PROMISED_TIME_TEMPLATE = "promised_time_changed"
SIGNATURE_TEXTS = {
    "en": (
        "Your work order {{ number }} is ready to sign",
        "Hello {{ customer }},\n\nThe work order {{ number }} for your {{ vehicle }} is ready: estimate {{ total }}.\n"
        "Please read it and sign it with the code we send you by SMS: {{ link }}\n\nYour {{ site.name }} service team",
        "{{ site.name }}: your work order {{ number }} for {{ vehicle }} ({{ total }}) is ready to sign: {{ link }}",
    ),
    "fr": (
        "Votre ordre de réparation {{ number }} est prêt à signer",
        "Bonjour {{ customer }},\n\nL'ordre de réparation {{ number }} de votre {{ vehicle }} est prêt : devis {{ total }}.\n"
        "Lisez-le et signez-le avec le code reçu par SMS : {{ link }}\n\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : votre ordre de réparation {{ number }} pour {{ vehicle }} ({{ total }}) est prêt à signer : {{ link }}",
    ),
    "ru": (
        "Ваш заказ-наряд {{ number }} готов к подписи",
        "Здравствуйте, {{ customer }}!\n\nЗаказ-наряд {{ number }} на ваш {{ vehicle }} готов: предварительная стоимость {{ total }}.\n"
        "Ознакомьтесь и подпишите его кодом из SMS: {{ link }}\n\nСервисная служба {{ site.name }}",
        "{{ site.name }}: заказ-наряд {{ number }} на {{ vehicle }} ({{ total }}) готов к подписи: {{ link }}",
    ),
    "zh-hans": (
        "您的维修工单{{ number }}待签字",
        "{{ customer }}，您好！\n\n您的{{ vehicle }}的维修工单{{ number }}已准备好：预估费用{{ total }}。\n"
        "请阅读并用短信验证码签字：{{ link }}\n\n{{ site.name }}售后服务团队",
        "{{ site.name }}：您的{{ vehicle }}维修工单{{ number }}（{{ total }}）待签字：{{ link }}",
    ),
}


PROMISED_TIME_TEXTS = {
    "en": (
        "Your {{ vehicle }}: new return time {{ promised|date:'DATETIME_FORMAT' }}",
        "Hello {{ customer }},\n\nThe return time of your {{ vehicle }} (work order {{ number }}) has changed: it will be ready on "
        "{{ promised|date:'DATETIME_FORMAT' }} instead of {{ previous|date:'DATETIME_FORMAT' }}.\n\n"
        "Please call us if this does not suit you.\n\nYour {{ site.name }} service team",
        "{{ site.name }}: your {{ vehicle }} will be ready on {{ promised|date:'SHORT_DATETIME_FORMAT' }} "
        "(not {{ previous|date:'SHORT_DATETIME_FORMAT' }}). Call us if this does not suit you.",
    ),
    "fr": (
        "Votre {{ vehicle }} : nouvelle heure de restitution {{ promised|date:'DATETIME_FORMAT' }}",
        "Bonjour {{ customer }},\n\nL'heure de restitution de votre {{ vehicle }} (ordre de réparation {{ number }}) change : "
        "il sera prêt le {{ promised|date:'DATETIME_FORMAT' }} au lieu du {{ previous|date:'DATETIME_FORMAT' }}.\n\n"
        "Appelez-nous si cela ne vous convient pas.\n\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : votre {{ vehicle }} sera prêt le {{ promised|date:'SHORT_DATETIME_FORMAT' }} "
        "(et non le {{ previous|date:'SHORT_DATETIME_FORMAT' }}). Appelez-nous si cela ne vous convient pas.",
    ),
    "ru": (
        "Ваш {{ vehicle }}: новое время выдачи {{ promised|date:'DATETIME_FORMAT' }}",
        "Здравствуйте, {{ customer }}!\n\nВремя выдачи вашего {{ vehicle }} (заказ-наряд {{ number }}) изменилось: автомобиль будет "
        "готов {{ promised|date:'DATETIME_FORMAT' }} вместо {{ previous|date:'DATETIME_FORMAT' }}.\n\n"
        "Позвоните нам, если это вам не подходит.\n\nСервисная служба {{ site.name }}",
        "{{ site.name }}: ваш {{ vehicle }} будет готов {{ promised|date:'SHORT_DATETIME_FORMAT' }} "
        "(а не {{ previous|date:'SHORT_DATETIME_FORMAT' }}). Позвоните нам, если это не подходит.",
    ),
    "zh-hans": (
        "您的{{ vehicle }}：新的交车时间{{ promised|date:'DATETIME_FORMAT' }}",
        "{{ customer }}，您好！\n\n您的{{ vehicle }}（维修工单{{ number }}）交车时间有变：将于{{ promised|date:'DATETIME_FORMAT' }}完工，"
        "而不是{{ previous|date:'DATETIME_FORMAT' }}。\n\n如不方便，请致电我们。\n\n{{ site.name }}售后服务团队",
        "{{ site.name }}：您的{{ vehicle }}将于{{ promised|date:'SHORT_DATETIME_FORMAT' }}完工"
        "（原定{{ previous|date:'SHORT_DATETIME_FORMAT' }}）。如不方便请致电我们。",
    ),
}
TEXTS = {SIGNATURE_TEMPLATE: SIGNATURE_TEXTS, PROMISED_TIME_TEMPLATE: PROMISED_TIME_TEXTS}


def seed_message_texts(template_model, keys=tuple(TEXTS)) -> int:
    return seed_default_templates(template_model, templates={key: TEXTS[key] for key in keys})

"""Default texts of the messages reception sends, in the four languages (seeded by migration 0002).

Like the messaging defaults, an existing text (edited by a manager) is never overwritten.
"""

from aftersales.messaging.catalogue import seed_default_templates

SIGNATURE_TEMPLATE = "work_order_signature"
TEXTS = {
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


def seed_message_texts(template_model) -> int:
    return seed_default_templates(template_model, templates={SIGNATURE_TEMPLATE: TEXTS})

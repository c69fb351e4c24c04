"""Default texts of the invoice e-mail in the four languages (seeded by migration 0003; edited texts are never overwritten)."""

from aftersales.messaging.catalogue import seed_default_templates

INVOICE_EMAIL_TEMPLATE = "invoice_email"
INVOICE_EMAIL_TEXTS = {
    "en": (
        "Your {{ kind|lower }} {{ number }}",
        "Hello {{ customer }},\n\nThank you for your visit. Please find attached your {{ kind|lower }} {{ number }} "
        "for your {{ vehicle }}: {{ total }}.\n\nYour {{ site.name }} service team",
        "{{ site.name }}: your {{ kind|lower }} {{ number }} ({{ total }}) was sent to you by e-mail.",
    ),
    "fr": (
        "Votre {{ kind|lower }} {{ number }}",
        "Bonjour {{ customer }},\n\nMerci de votre visite. Vous trouverez ci-joint votre {{ kind|lower }} {{ number }} pour votre "
        "{{ vehicle }} : {{ total }}.\n\nVotre équipe après-vente {{ site.name }}",
        "{{ site.name }} : votre {{ kind|lower }} {{ number }} ({{ total }}) vous a été envoyée par e-mail.",
    ),
    "ru": (
        "Ваш документ {{ number }}: {{ kind|lower }}",
        "Здравствуйте, {{ customer }}!\n\nСпасибо за визит. Во вложении ваш документ ({{ kind|lower }}) {{ number }} по автомобилю "
        "{{ vehicle }}: {{ total }}.\n\nСервисная служба {{ site.name }}",
        "{{ site.name }}: документ {{ number }} ({{ total }}) отправлен вам по электронной почте.",
    ),
    "zh-hans": (
        "您的{{ kind }}{{ number }}",
        "{{ customer }}，您好！\n\n感谢您的光临。附件是您的{{ vehicle }}的{{ kind }}{{ number }}：{{ total }}。"
        "\n\n{{ site.name }}售后服务团队",
        "{{ site.name }}：您的{{ kind }}{{ number }}（{{ total }}）已通过电子邮件发送。",
    ),
}
TEXTS = {INVOICE_EMAIL_TEMPLATE: INVOICE_EMAIL_TEXTS}


def seed_message_texts(template_model) -> int:
    return seed_default_templates(template_model, templates=TEXTS)

"""Default texts of the message types the follow-up stage adds to messaging's.

``concern_info_request`` (variables ``reference``, ``question``) asks a
customer for what a concern is missing; ``vehicle_life_message`` (``vehicle``,
``title``, ``text``, ``link``) carries a target-list campaign; ``quick_touch``
(``vehicle``, ``link``) asks for a one-tap rating after a handover. Seeded by this
app's data migration with messaging's ``seed_default_templates`` contract
(never overwriting an edited text).
"""

from aftersales.messaging.catalogue import seed_default_templates

# (subject, e-mail text, SMS text) per message type and language.
FOLLOWUP_TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "concern_info_request": {
        "en": (
            "About your message (ref. {{ reference }})",
            "Hello {{ customer }},\n\nTo handle your message {{ reference }} we need a little more information:\n"
            "{{ question }}\n\nSimply reply to this message or call us on {{ site.phone }}.\n\n"
            "Kind regards,\nYour {{ site.name }} service team",
            "{{ site.name }} (ref. {{ reference }}): {{ question }} Reply here or call {{ site.phone }}.",
        ),
        "fr": (
            "À propos de votre message (réf. {{ reference }})",
            "Bonjour {{ customer }},\n\nPour traiter votre message {{ reference }}, nous avons besoin d'une précision :\n"
            "{{ question }}\n\nRépondez simplement à ce message ou appelez-nous au {{ site.phone }}.\n\n"
            "Cordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} (réf. {{ reference }}) : {{ question }} Répondez ici ou appelez le {{ site.phone }}.",
        ),
        "ru": (
            "О вашем обращении (№ {{ reference }})",
            "Здравствуйте, {{ customer }}!\n\nЧтобы рассмотреть ваше обращение {{ reference }}, нам нужно уточнение:\n"
            "{{ question }}\n\nПросто ответьте на это сообщение или позвоните нам: {{ site.phone }}.\n\n"
            "С уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }} (№ {{ reference }}): {{ question }} Ответьте здесь или позвоните {{ site.phone }}.",
        ),
        "zh-hans": (
            "关于您的留言（编号 {{ reference }}）",
            "{{ customer }}，您好！\n\n为处理您的留言{{ reference }}，我们需要补充以下信息：\n{{ question }}\n\n"
            "请直接回复本消息或致电{{ site.phone }}。\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}（编号 {{ reference }}）：{{ question }} 请回复或致电{{ site.phone }}。",
        ),
    },
    "vehicle_life_message": {
        "en": (
            "{{ title }}",
            "Hello {{ customer }},\n\n{{ text }}\n\n{% if vehicle %}Your vehicle: {{ vehicle }}\n{% endif %}"
            "To book: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: {{ title }}. {{ text }} {{ link }}",
        ),
        "fr": (
            "{{ title }}",
            "Bonjour {{ customer }},\n\n{{ text }}\n\n{% if vehicle %}Votre véhicule : {{ vehicle }}\n{% endif %}"
            "Pour prendre rendez-vous : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : {{ title }}. {{ text }} {{ link }}",
        ),
        "ru": (
            "{{ title }}",
            "Здравствуйте, {{ customer }}!\n\n{{ text }}\n\n{% if vehicle %}Ваш автомобиль: {{ vehicle }}\n{% endif %}"
            "Записаться: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: {{ title }}. {{ text }} {{ link }}",
        ),
        "zh-hans": (
            "{{ title }}",
            "{{ customer }}，您好！\n\n{{ text }}\n\n{% if vehicle %}您的车辆：{{ vehicle }}\n{% endif %}"
            "预约：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：{{ title }}。{{ text }} {{ link }}",
        ),
    },
}


# The quick touch after a handover (variables ``vehicle``, ``link``): a one-tap 1-5 rating.
QUICK_TOUCH_TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "quick_touch": {
        "en": (
            "Your visit to {{ site.name }}: one tap to rate it",
            "Hello {{ customer }},\n\nYou collected your {{ vehicle }} from us. How did it go? Rate your visit from 1 to 5 "
            "with one tap: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: how was your visit with your {{ vehicle }}? Rate it from 1 to 5 with one tap: {{ link }}",
        ),
        "fr": (
            "Votre visite chez {{ site.name }} : notez-la d'un geste",
            "Bonjour {{ customer }},\n\nVous avez récupéré votre {{ vehicle }} chez nous. Comment cela s'est-il passé ? "
            "Notez votre visite de 1 à 5 d'un seul geste : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : comment s'est passée votre visite avec votre {{ vehicle }} ? Notez-la de 1 à 5 : {{ link }}",
        ),
        "ru": (
            "Ваш визит в {{ site.name }}: оцените одним касанием",
            "Здравствуйте, {{ customer }}!\n\nВы забрали у нас свой автомобиль {{ vehicle }}. Как всё прошло? Оцените визит "
            "от 1 до 5 одним касанием: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: как прошёл визит с {{ vehicle }}? Оцените от 1 до 5: {{ link }}",
        ),
        "zh-hans": (
            "您在{{ site.name }}的到店体验：一键评分",
            "{{ customer }}，您好！\n\n您已从我们这里取回您的{{ vehicle }}。体验如何？请一键为本次到店打分（1至5分）："
            "{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：您的{{ vehicle }}本次到店体验如何？请一键打分（1至5分）：{{ link }}",
        ),
    },
}


def seed_followup_templates(template_model) -> int:
    return seed_default_templates(template_model, templates={**FOLLOWUP_TEMPLATES, **QUICK_TOUCH_TEMPLATES})

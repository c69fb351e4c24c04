"""The booking confirmation says everything: the estimate, the mobility chosen, the documents typed, the arrival area.

A site's text still equal to the former default becomes the new default; a text a manager edited is left as it is
(``catalogue.replace_default_texts``).
Both versions are frozen here, so later changes of the defaults in ``catalogue`` do not change what this step does.
"""

from django.db import migrations

KEY = "booking_confirmation"
FORMER = {
    "en": (
        "Your appointment on {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Hello {{ customer }},\n"
            "\n"
            "Thank you for booking with {{ site.name }}. We look forward to seeing you on {{ "
            "start|date:'DATETIME_FORMAT' }} for your {{ vehicle }}.\n"
            "\n"
            "Planned work: {{ services }}\n"
            "Please come to: {{ arrival_area }}, {{ site.address }}, {{ site.postcode }} {{ site.city "
            "}}.\n"
            "Please bring your service book, the wheel-lock key and your registration papers.\n"
            "\n"
            "To change or cancel: {{ link }}\n"
            "\n"
            "Kind regards,\n"
            "Your {{ site.name }} service team"
        ),
        (
            "{{ site.name }}: appointment confirmed on {{ start|date:'SHORT_DATETIME_FORMAT' }} for "
            "your {{ vehicle }}. Change or cancel: {{ link }}"
        ),
    ),
    "fr": (
        "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Bonjour {{ customer }},\n"
            "\n"
            "Merci d'avoir pris rendez-vous chez {{ site.name }}. Nous vous attendons le {{ "
            "start|date:'DATETIME_FORMAT' }} pour votre {{ vehicle }}.\n"
            "\n"
            "Travaux prévus : {{ services }}\n"
            "Accueil : {{ arrival_area }}, {{ site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "Pensez à apporter votre carnet d'entretien, l'écrou antivol et votre certificat "
            "d'immatriculation.\n"
            "\n"
            "Pour modifier ou annuler : {{ link }}\n"
            "\n"
            "Cordialement,\n"
            "Votre équipe après-vente {{ site.name }}"
        ),
        (
            "{{ site.name }} : rendez-vous confirmé le {{ start|date:'SHORT_DATETIME_FORMAT' }} pour "
            "votre {{ vehicle }}. Modifier ou annuler : {{ link }}"
        ),
    ),
    "ru": (
        "Ваша запись на {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Здравствуйте, {{ customer }}!\n"
            "\n"
            "Благодарим за запись в {{ site.name }}. Ждём вас {{ start|date:'DATETIME_FORMAT' }} с "
            "автомобилем {{ vehicle }}.\n"
            "\n"
            "Запланированные работы: {{ services }}\n"
            "Куда подъехать: {{ arrival_area }}, {{ site.address }}, {{ site.postcode }} {{ site.city "
            "}}.\n"
            "Пожалуйста, возьмите сервисную книжку, ключ секреток колёс и свидетельство о регистрации.\n"
            "\n"
            "Изменить или отменить запись: {{ link }}\n"
            "\n"
            "С уважением,\n"
            "сервисная служба {{ site.name }}"
        ),
        (
            "{{ site.name }}: запись подтверждена на {{ start|date:'SHORT_DATETIME_FORMAT' }}, {{ "
            "vehicle }}. Изменить или отменить: {{ link }}"
        ),
    ),
    "zh-hans": (
        "您的预约：{{ start|date:'DATETIME_FORMAT' }}",
        (
            "{{ customer }}，您好！\n"
            "\n"
            "感谢您在{{ site.name }}预约。我们将于{{ start|date:'DATETIME_FORMAT' }}恭候您和您的{{ vehicle }}。\n"
            "\n"
            "预约项目：{{ services }}\n"
            "接待区域：{{ arrival_area }}，{{ site.address }}，{{ site.postcode }} {{ site.city }}。\n"
            "请携带保养手册、防盗螺栓钥匙和行驶证。\n"
            "\n"
            "修改或取消预约：{{ link }}\n"
            "\n"
            "{{ site.name }}售后服务团队"
        ),
        ("{{ site.name }}：您的{{ vehicle }}已预约{{ start|date:'SHORT_DATETIME_FORMAT' }}。修改或取消：{{ link }}"),
    ),
}
CURRENT = {
    "en": (
        "Your appointment on {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Hello {{ customer }},\n"
            "\n"
            "Thank you for booking with {{ site.name }}. We look forward to seeing you on {{ "
            "start|date:'DATETIME_FORMAT' }} for your {{ vehicle }}.\n"
            "\n"
            "Planned work: {{ services }}\n"
            "{% if estimate %}Estimate: {{ estimate }} VAT included\n"
            "{% endif %}{% if mobility %}During the visit: {{ mobility }}\n"
            "{% endif %}Please come to: {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ "
            "site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "Please bring: {{ documents }}\n"
            "\n"
            "To change or cancel: {{ link }}\n"
            "\n"
            "Kind regards,\n"
            "Your {{ site.name }} service team"
        ),
        (
            "{{ site.name }}: appointment confirmed on {{ start|date:'SHORT_DATETIME_FORMAT' }} for "
            "your {{ vehicle }}.{% if arrival_area %} Come to: {{ arrival_area }}.{% endif %}{% if "
            "estimate %} Estimate: {{ estimate }} VAT incl.{% endif %}{% if mobility %} During the "
            "visit: {{ mobility }}.{% endif %} Bring: {{ documents }}. Change or cancel: {{ link }}"
        ),
    ),
    "fr": (
        "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Bonjour {{ customer }},\n"
            "\n"
            "Merci d'avoir pris rendez-vous chez {{ site.name }}. Nous vous attendons le {{ "
            "start|date:'DATETIME_FORMAT' }} pour votre {{ vehicle }}.\n"
            "\n"
            "Travaux prévus : {{ services }}\n"
            "{% if estimate %}Devis : {{ estimate }} TTC\n"
            "{% endif %}{% if mobility %}Pendant l'intervention : {{ mobility }}\n"
            "{% endif %}Accueil : {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ site.address "
            "}}, {{ site.postcode }} {{ site.city }}.\n"
            "À apporter : {{ documents }}\n"
            "\n"
            "Pour modifier ou annuler : {{ link }}\n"
            "\n"
            "Cordialement,\n"
            "Votre équipe après-vente {{ site.name }}"
        ),
        (
            "{{ site.name }} : rendez-vous confirmé le {{ start|date:'SHORT_DATETIME_FORMAT' }} pour "
            "votre {{ vehicle }}.{% if arrival_area %} Accueil : {{ arrival_area }}.{% endif %}{% if "
            "estimate %} Devis : {{ estimate }} TTC.{% endif %}{% if mobility %} Pendant "
            "l'intervention : {{ mobility }}.{% endif %} À apporter : {{ documents }}. Modifier ou "
            "annuler : {{ link }}"
        ),
    ),
    "ru": (
        "Ваша запись на {{ start|date:'DATETIME_FORMAT' }}",
        (
            "Здравствуйте, {{ customer }}!\n"
            "\n"
            "Благодарим за запись в {{ site.name }}. Ждём вас {{ start|date:'DATETIME_FORMAT' }} с "
            "автомобилем {{ vehicle }}.\n"
            "\n"
            "Запланированные работы: {{ services }}\n"
            "{% if estimate %}Смета: {{ estimate }} с НДС\n"
            "{% endif %}{% if mobility %}На время работ: {{ mobility }}\n"
            "{% endif %}Куда подъехать: {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ "
            "site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "Возьмите с собой: {{ documents }}\n"
            "\n"
            "Изменить или отменить запись: {{ link }}\n"
            "\n"
            "С уважением,\n"
            "сервисная служба {{ site.name }}"
        ),
        (
            "{{ site.name }}: запись подтверждена на {{ start|date:'SHORT_DATETIME_FORMAT' }}, {{ "
            "vehicle }}.{% if arrival_area %} Куда подъехать: {{ arrival_area }}.{% endif %}{% if "
            "estimate %} Смета: {{ estimate }} с НДС.{% endif %}{% if mobility %} На время работ: {{ "
            "mobility }}.{% endif %} Возьмите с собой: {{ documents }}. Изменить или отменить: {{ link "
            "}}"
        ),
    ),
    "zh-hans": (
        "您的预约：{{ start|date:'DATETIME_FORMAT' }}",
        (
            "{{ customer }}，您好！\n"
            "\n"
            "感谢您在{{ site.name }}预约。我们将于{{ start|date:'DATETIME_FORMAT' }}恭候您和您的{{ vehicle }}。\n"
            "\n"
            "预约项目：{{ services }}\n"
            "{% if estimate %}估价：{{ estimate }}（含增值税）\n"
            "{% endif %}{% if mobility %}服务期间：{{ mobility }}\n"
            "{% endif %}接待区域：{% if arrival_area %}{{ arrival_area }}，{% endif %}{{ site.address }}，{{ "
            "site.postcode }} {{ site.city }}。\n"
            "请携带：{{ documents }}\n"
            "\n"
            "修改或取消预约：{{ link }}\n"
            "\n"
            "{{ site.name }}售后服务团队"
        ),
        (
            "{{ site.name }}：您的{{ vehicle }}已预约{{ start|date:'SHORT_DATETIME_FORMAT' }}。{% if "
            "arrival_area %}接待区域：{{ arrival_area }}。{% endif %}{% if estimate %}估价：{{ estimate "
            "}}（含增值税）。{% endif %}{% if mobility %}服务期间：{{ mobility }}。{% endif %}请携带：{{ documents "
            "}}。修改或取消：{{ link }}"
        ),
    ),
}


def forwards(apps, schema_editor):
    from aftersales.messaging.catalogue import replace_default_texts

    replace_default_texts(apps.get_model("messaging", "MessageTemplate"), KEY, FORMER, CURRENT)


def backwards(apps, schema_editor):
    from aftersales.messaging.catalogue import replace_default_texts

    replace_default_texts(apps.get_model("messaging", "MessageTemplate"), KEY, CURRENT, FORMER)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_system_texts_as_codes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

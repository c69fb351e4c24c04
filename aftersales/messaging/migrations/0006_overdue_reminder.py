"""A maintenance reminder sent after the service's due day says the service is overdue (``overdue`` in its context),
instead of "due around" a day already past.

A site's text still equal to the former default becomes the new default, field by field (subject, e-mail, SMS); a
text a manager edited is left as it is. Both versions are frozen here, so later changes of the defaults in
``catalogue`` do not change what this step does.
"""

from django.db import migrations

KEY = "maintenance_reminder"
FIELDS = ("subject", "body_text", "sms_body")
FORMER = {'en': ('Your {{ vehicle }} is due for its service',
        'Hello {{ customer }},\n'
        '\n'
        "Your {{ vehicle }} is due for its next service around {{ due_date|date:'DATE_FORMAT' }}{% if due_km %} or {{ "
        'due_km }} km{% endif %}.\n'
        '\n'
        '{% if offer %}This month: {{ offer }}\n'
        '\n'
        '{% endif %}During the visit we offer a courtesy car, a shuttle or our lounge with wifi.\n'
        'Book online in two minutes: {{ link }}\n'
        '\n'
        'Kind regards,\n'
        'Your {{ site.name }} service team',
        "{{ site.name }}: your {{ vehicle }} is due for its service around {{ due_date|date:'SHORT_DATE_FORMAT' }}. "
        'Book: {{ link }}'),
 'fr': ("L'entretien de votre {{ vehicle }} approche",
        'Bonjour {{ customer }},\n'
        '\n'
        "Le prochain entretien de votre {{ vehicle }} est prévu vers le {{ due_date|date:'DATE_FORMAT' }}{% if due_km "
        '%} ou {{ due_km }} km{% endif %}.\n'
        '\n'
        '{% if offer %}Ce mois-ci : {{ offer }}\n'
        '\n'
        "{% endif %}Pendant l'intervention, nous vous proposons un véhicule de courtoisie, une navette ou notre salon "
        'avec wifi.\n'
        'Prenez rendez-vous en ligne en deux minutes : {{ link }}\n'
        '\n'
        'Cordialement,\n'
        'Votre équipe après-vente {{ site.name }}',
        "{{ site.name }} : l'entretien de votre {{ vehicle }} est prévu vers le {{ due_date|date:'SHORT_DATE_FORMAT' "
        '}}. Rendez-vous : {{ link }}'),
 'ru': ('Пора на техобслуживание: {{ vehicle }}',
        'Здравствуйте, {{ customer }}!\n'
        '\n'
        "Следующее техобслуживание вашего {{ vehicle }} предстоит около {{ due_date|date:'DATE_FORMAT' }}{% if due_km "
        '%} или при пробеге {{ due_km }} км{% endif %}.\n'
        '\n'
        '{% if offer %}В этом месяце: {{ offer }}\n'
        '\n'
        '{% endif %}На время работ предложим подменный автомобиль, трансфер или зону ожидания с wifi.\n'
        'Запишитесь онлайн за две минуты: {{ link }}\n'
        '\n'
        'С уважением,\n'
        'сервисная служба {{ site.name }}',
        "{{ site.name }}: техобслуживание {{ vehicle }} около {{ due_date|date:'SHORT_DATE_FORMAT' }}. Записаться: {{ "
        'link }}'),
 'zh-hans': ('您的{{ vehicle }}即将需要保养',
             '{{ customer }}，您好！\n'
             '\n'
             "您的{{ vehicle }}预计在{{ due_date|date:'DATE_FORMAT' }}{% if due_km %}或行驶至{{ due_km }}公里{% endif %}时需要下次保养。\n"
             '\n'
             '{% if offer %}本月优惠：{{ offer }}\n'
             '\n'
             '{% endif %}保养期间我们可提供代步车、接送服务或带wifi的休息室。\n'
             '两分钟在线预约：{{ link }}\n'
             '\n'
             '{{ site.name }}售后服务团队',
             "{{ site.name }}：您的{{ vehicle }}预计{{ due_date|date:'SHORT_DATE_FORMAT' }}前后需要保养。预约：{{ link }}")}
NEW = {'en': ('{% if overdue %}The service of your {{ vehicle }} is overdue{% else %}Your {{ vehicle }} is due for its '
        'service{% endif %}',
        'Hello {{ customer }},\n'
        '\n'
        "{% if overdue %}The service of your {{ vehicle }} is overdue: it was due on {{ due_date|date:'DATE_FORMAT' "
        '}}{% if due_km %} or at {{ due_km }} km{% endif %}.{% else %}Your {{ vehicle }} is due for its next service '
        "around {{ due_date|date:'DATE_FORMAT' }}{% if due_km %} or {{ due_km }} km{% endif %}.{% endif %}\n"
        '\n'
        '{% if offer %}This month: {{ offer }}\n'
        '\n'
        '{% endif %}During the visit we offer a courtesy car, a shuttle or our lounge with wifi.\n'
        'Book online in two minutes: {{ link }}\n'
        '\n'
        'Kind regards,\n'
        'Your {{ site.name }} service team',
        '{{ site.name }}: {% if overdue %}the service of your {{ vehicle }} is overdue (due on {{ '
        "due_date|date:'SHORT_DATE_FORMAT' }}){% else %}your {{ vehicle }} is due for its service around {{ "
        "due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Book: {{ link }}"),
 'fr': ("{% if overdue %}L'entretien de votre {{ vehicle }} est en retard{% else %}L'entretien de votre {{ vehicle }} "
        'approche{% endif %}',
        'Bonjour {{ customer }},\n'
        '\n'
        "{% if overdue %}L'entretien de votre {{ vehicle }} est en retard : il était prévu le {{ "
        "due_date|date:'DATE_FORMAT' }}{% if due_km %} ou à {{ due_km }} km{% endif %}.{% else %}Le prochain entretien "
        "de votre {{ vehicle }} est prévu vers le {{ due_date|date:'DATE_FORMAT' }}{% if due_km %} ou {{ due_km }} "
        'km{% endif %}.{% endif %}\n'
        '\n'
        '{% if offer %}Ce mois-ci : {{ offer }}\n'
        '\n'
        "{% endif %}Pendant l'intervention, nous vous proposons un véhicule de courtoisie, une navette ou notre salon "
        'avec wifi.\n'
        'Prenez rendez-vous en ligne en deux minutes : {{ link }}\n'
        '\n'
        'Cordialement,\n'
        'Votre équipe après-vente {{ site.name }}',
        "{{ site.name }} : {% if overdue %}l'entretien de votre {{ vehicle }} est en retard (prévu le {{ "
        "due_date|date:'SHORT_DATE_FORMAT' }}){% else %}l'entretien de votre {{ vehicle }} est prévu vers le {{ "
        "due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Rendez-vous : {{ link }}"),
 'ru': ('{% if overdue %}Техобслуживание просрочено: {{ vehicle }}{% else %}Пора на техобслуживание: {{ vehicle }}{% '
        'endif %}',
        'Здравствуйте, {{ customer }}!\n'
        '\n'
        '{% if overdue %}Техобслуживание вашего {{ vehicle }} просрочено: оно было запланировано на {{ '
        "due_date|date:'DATE_FORMAT' }}{% if due_km %} или на пробег {{ due_km }} км{% endif %}.{% else %}Следующее "
        "техобслуживание вашего {{ vehicle }} предстоит около {{ due_date|date:'DATE_FORMAT' }}{% if due_km %} или при "
        'пробеге {{ due_km }} км{% endif %}.{% endif %}\n'
        '\n'
        '{% if offer %}В этом месяце: {{ offer }}\n'
        '\n'
        '{% endif %}На время работ предложим подменный автомобиль, трансфер или зону ожидания с wifi.\n'
        'Запишитесь онлайн за две минуты: {{ link }}\n'
        '\n'
        'С уважением,\n'
        'сервисная служба {{ site.name }}',
        '{{ site.name }}: {% if overdue %}техобслуживание {{ vehicle }} просрочено (срок {{ '
        "due_date|date:'SHORT_DATE_FORMAT' }}){% else %}техобслуживание {{ vehicle }} около {{ "
        "due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Записаться: {{ link }}"),
 'zh-hans': ('{% if overdue %}您的{{ vehicle }}保养已逾期{% else %}您的{{ vehicle }}即将需要保养{% endif %}',
             '{{ customer }}，您好！\n'
             '\n'
             "{% if overdue %}您的{{ vehicle }}保养已逾期：原定于{{ due_date|date:'DATE_FORMAT' }}{% if due_km %}或行驶至{{ due_km "
             "}}公里{% endif %}时保养。{% else %}您的{{ vehicle }}预计在{{ due_date|date:'DATE_FORMAT' }}{% if due_km %}或行驶至{{ "
             'due_km }}公里{% endif %}时需要下次保养。{% endif %}\n'
             '\n'
             '{% if offer %}本月优惠：{{ offer }}\n'
             '\n'
             '{% endif %}保养期间我们可提供代步车、接送服务或带wifi的休息室。\n'
             '两分钟在线预约：{{ link }}\n'
             '\n'
             '{{ site.name }}售后服务团队',
             "{{ site.name }}：{% if overdue %}您的{{ vehicle }}保养已逾期（原定{{ due_date|date:'SHORT_DATE_FORMAT' }}）{% else "
             "%}您的{{ vehicle }}预计{{ due_date|date:'SHORT_DATE_FORMAT' }}前后需要保养{% endif %}。预约：{{ link }}")}


def _replace(apps, source: dict, target: dict) -> None:
    template_model = apps.get_model("messaging", "MessageTemplate")
    for template in template_model.objects.filter(key=KEY, language__in=list(source)):
        changed = [
            name
            for name, old, new in zip(FIELDS, source[template.language], target[template.language], strict=True)
            if getattr(template, name) == old and old != new
        ]
        for name in changed:
            setattr(template, name, target[template.language][FIELDS.index(name)])
        if changed:
            template.save(update_fields=changed)


def forwards(apps, schema_editor):
    _replace(apps, FORMER, NEW)


def backwards(apps, schema_editor):
    _replace(apps, NEW, FORMER)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_confirmation_details"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

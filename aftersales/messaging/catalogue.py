"""The message types the stages send, their variables, sample data and default texts.

Every template is rendered with ``customer``, ``site`` and ``brand_name``
plus the variables listed per type in ``MESSAGE_TYPES``; a marketing type
(``MARKETING_TYPES``) also gets ``unsubscribe_url``, which the e-mail's
footer already shows. Dates are aware
datetimes; they show in the site's time zone and the message's language.
Amounts and numbers come formatted for the customer's language
(``format_money``, ``format_number``).
``seed_default_templates`` creates the missing defaults and never overwrites
a text a manager edited.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.lib.formatting import format_money, format_number

MESSAGE_TYPES = {
    "booking_confirmation": (
        _("Booking confirmation"),
        ["start", "vehicle", "services", "estimate", "mobility", "documents", "arrival_area", "link"],
    ),
    "booking_reminder_24h": (_("Appointment confirmation 24 h before"), ["start", "vehicle", "link"]),
    "booking_rescheduled": (
        _("Appointment moved"),
        ["start", "previous_start", "vehicle", "services", "estimate", "mobility", "documents", "arrival_area", "link"],
    ),
    "booking_cancelled": (_("Appointment cancelled"), ["start", "vehicle", "link"]),
    "maintenance_reminder": (_("Maintenance reminder"), ["vehicle", "due_date", "due_km", "overdue", "offer", "link"]),
    "callback_survey": (_("Follow-up after the visit"), ["vehicle", "link"]),
    "concern_acknowledgment": (_("Concern acknowledgment"), ["reference", "summary"]),
    "approval_request": (_("Approval of additional work"), ["vehicle", "items", "total", "link"]),
    "one_time_code": (_("One-time code"), ["code", "minutes"]),
}


# Types whose text holds a secret (a one-time code): the text is blanked once sent.
SENSITIVE_TYPES = {"one_time_code"}
# Marketing types (reminders, offers): sent only with the channel's consent, each carrying its way out
# (the one-click unsubscribe of an e-mail, the STOP instruction of an SMS).
MARKETING_TYPES = {"maintenance_reminder"}
# Preview values for variables that stage apps add with their own types.
_REGISTERED_SAMPLES: dict = {}


def register_message_type(
    key: str, label, variables: list[str], *, samples: dict | None = None, sensitive: bool = False, marketing: bool = False
) -> None:
    """A stage app's message type (call it from ``AppConfig.ready``); its texts come from its own data migration."""
    MESSAGE_TYPES[key] = (label, variables)
    _REGISTERED_SAMPLES.update(samples or {})
    if sensitive:
        SENSITIVE_TYPES.add(key)
    if marketing:
        MARKETING_TYPES.add(key)


def message_type_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _variables) in MESSAGE_TYPES.items()]


def sample_context(site) -> dict:
    """Plausible values for every variable, for the template editor's preview."""
    start = (timezone.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {
        "customer": _SampleCustomer(),
        "site": site,
        "brand_name": "Audi",
        "start": start,
        "previous_start": start - timedelta(days=1),
        "vehicle": "Audi A4 Avant AB-123-CD",
        "services": "Service 30 000 km, brake pads",
        "estimate": lazy(format_money, str)(Decimal("187.40"), "EUR"),
        "mobility": "Courtesy car",
        "documents": "Service book, registration papers, wheel-lock key",
        "arrival_area": "Express service",
        "link": "https://example.test/b/abc123",
        "unsubscribe_url": "https://example.test/messaging/unsubscribe/abc123/",
        "due_date": date.today() + timedelta(days=30),
        "due_km": lazy(format_number, str)(30000),  # formatted in the language the preview is rendered in
        "overdue": False,  # True once the due day has passed: the reminder says the service is overdue
        "offer": "Winter check 49 €",
        "reference": "C-2026-0042",
        "summary": "Noise from the front left wheel",
        "items": "Front brake discs and pads",
        "total": lazy(format_money, str)(Decimal("412.80"), "EUR"),
        "code": "482913",
        "minutes": 10,
        **_REGISTERED_SAMPLES,
    }


def sample_site():
    """An unsaved site for previews by a user attached to no site."""
    from aftersales.accounts.models import Site

    return Site(name="Audi Lyon", address="12 avenue Jean Jaurès", postcode="69007", city="Lyon", time_zone="Europe/Paris")


class _SampleCustomer:
    first_name = "Marie"
    last_name = "Dupont"

    def __str__(self) -> str:
        return "Marie Dupont"


# (subject, e-mail text, SMS text) per message type and language.
DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "booking_confirmation": {
        "en": (
            "Your appointment on {{ start|date:'DATETIME_FORMAT' }}",
            "Hello {{ customer }},\n\nThank you for booking with {{ site.name }}. We look forward to seeing you on "
            "{{ start|date:'DATETIME_FORMAT' }} for your {{ vehicle }}.\n\nPlanned work: {{ services }}\n"
            "{% if estimate %}Estimate: {{ estimate }} VAT included\n{% endif %}"
            "{% if mobility %}During the visit: {{ mobility }}\n{% endif %}"
            "Please come to: {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "Please bring: {{ documents }}\n\n"
            "To change or cancel: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: appointment confirmed on {{ start|date:'SHORT_DATETIME_FORMAT' }} for your {{ vehicle }}."
            "{% if arrival_area %} Come to: {{ arrival_area }}.{% endif %}{% if estimate %} Estimate: {{ estimate }} VAT incl.{% endif %}"
            "{% if mobility %} During the visit: {{ mobility }}.{% endif %} Bring: {{ documents }}. Change or cancel: {{ link }}",
        ),
        "fr": (
            "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }}",
            "Bonjour {{ customer }},\n\nMerci d'avoir pris rendez-vous chez {{ site.name }}. Nous vous attendons le "
            "{{ start|date:'DATETIME_FORMAT' }} pour votre {{ vehicle }}.\n\nTravaux prévus : {{ services }}\n"
            "{% if estimate %}Devis : {{ estimate }} TTC\n{% endif %}"
            "{% if mobility %}Pendant l'intervention : {{ mobility }}\n{% endif %}"
            "Accueil : {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "À apporter : {{ documents }}\n\n"
            "Pour modifier ou annuler : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : rendez-vous confirmé le {{ start|date:'SHORT_DATETIME_FORMAT' }} pour votre {{ vehicle }}."
            "{% if arrival_area %} Accueil : {{ arrival_area }}.{% endif %}{% if estimate %} Devis : {{ estimate }} TTC.{% endif %}"
            "{% if mobility %} Pendant l'intervention : {{ mobility }}.{% endif %} À apporter : {{ documents }}. "
            "Modifier ou annuler : {{ link }}",
        ),
        "ru": (
            "Ваша запись на {{ start|date:'DATETIME_FORMAT' }}",
            "Здравствуйте, {{ customer }}!\n\nБлагодарим за запись в {{ site.name }}. Ждём вас "
            "{{ start|date:'DATETIME_FORMAT' }} с автомобилем {{ vehicle }}.\n\nЗапланированные работы: {{ services }}\n"
            "{% if estimate %}Смета: {{ estimate }} с НДС\n{% endif %}"
            "{% if mobility %}На время работ: {{ mobility }}\n{% endif %}"
            "Куда подъехать: {% if arrival_area %}{{ arrival_area }}, {% endif %}{{ site.address }}, {{ site.postcode }} {{ site.city }}.\n"
            "Возьмите с собой: {{ documents }}\n\n"
            "Изменить или отменить запись: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: запись подтверждена на {{ start|date:'SHORT_DATETIME_FORMAT' }}, {{ vehicle }}."
            "{% if arrival_area %} Куда подъехать: {{ arrival_area }}.{% endif %}{% if estimate %} Смета: {{ estimate }} с НДС.{% endif %}"
            "{% if mobility %} На время работ: {{ mobility }}.{% endif %} Возьмите с собой: {{ documents }}. "
            "Изменить или отменить: {{ link }}",
        ),
        "zh-hans": (
            "您的预约：{{ start|date:'DATETIME_FORMAT' }}",
            "{{ customer }}，您好！\n\n感谢您在{{ site.name }}预约。我们将于{{ start|date:'DATETIME_FORMAT' }}"
            "恭候您和您的{{ vehicle }}。\n\n预约项目：{{ services }}\n"
            "{% if estimate %}估价：{{ estimate }}（含增值税）\n{% endif %}"
            "{% if mobility %}服务期间：{{ mobility }}\n{% endif %}"
            "接待区域：{% if arrival_area %}{{ arrival_area }}，{% endif %}{{ site.address }}，{{ site.postcode }} {{ site.city }}。\n"
            "请携带：{{ documents }}\n\n"
            "修改或取消预约：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：您的{{ vehicle }}已预约{{ start|date:'SHORT_DATETIME_FORMAT' }}。"
            "{% if arrival_area %}接待区域：{{ arrival_area }}。{% endif %}{% if estimate %}估价：{{ estimate }}（含增值税）。{% endif %}"
            "{% if mobility %}服务期间：{{ mobility }}。{% endif %}请携带：{{ documents }}。修改或取消：{{ link }}",
        ),
    },
    "booking_reminder_24h": {
        "en": (
            "See you tomorrow at {{ site.name }}",
            "Hello {{ customer }},\n\nThis is a reminder of your appointment on {{ start|date:'DATETIME_FORMAT' }} "
            "for your {{ vehicle }} at {{ site.name }}, {{ site.address }}, {{ site.city }}.\n\n"
            "Please confirm or change it here: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: reminder of your appointment on {{ start|date:'SHORT_DATETIME_FORMAT' }} ({{ vehicle }}). "
            "Confirm or change: {{ link }}",
        ),
        "fr": (
            "À demain chez {{ site.name }}",
            "Bonjour {{ customer }},\n\nNous vous rappelons votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} "
            "pour votre {{ vehicle }} chez {{ site.name }}, {{ site.address }}, {{ site.city }}.\n\n"
            "Merci de le confirmer ou de le modifier ici : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : rappel de votre rendez-vous du {{ start|date:'SHORT_DATETIME_FORMAT' }} ({{ vehicle }}). "
            "Confirmer ou modifier : {{ link }}",
        ),
        "ru": (
            "Ждём вас завтра в {{ site.name }}",
            "Здравствуйте, {{ customer }}!\n\nНапоминаем о вашей записи на {{ start|date:'DATETIME_FORMAT' }}, "
            "автомобиль {{ vehicle }}, {{ site.name }}, {{ site.address }}, {{ site.city }}.\n\n"
            "Подтвердите или измените запись: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: напоминаем о записи на {{ start|date:'SHORT_DATETIME_FORMAT' }} ({{ vehicle }}). "
            "Подтвердить или изменить: {{ link }}",
        ),
        "zh-hans": (
            "明天{{ site.name }}恭候您",
            "{{ customer }}，您好！\n\n温馨提醒：您已预约{{ start|date:'DATETIME_FORMAT' }}在{{ site.name }}"
            "（{{ site.address }}，{{ site.city }}）为您的{{ vehicle }}进行服务。\n\n请在此确认或修改：{{ link }}\n\n"
            "{{ site.name }}售后服务团队",
            "{{ site.name }}：提醒您{{ start|date:'SHORT_DATETIME_FORMAT' }}的预约（{{ vehicle }}）。确认或修改：{{ link }}",
        ),
    },
    "booking_rescheduled": {
        "en": (
            "Your appointment has moved to {{ start|date:'DATETIME_FORMAT' }}",
            "Hello {{ customer }},\n\nYour appointment for your {{ vehicle }} has moved from "
            "{{ previous_start|date:'DATETIME_FORMAT' }} to {{ start|date:'DATETIME_FORMAT' }}.\n\n"
            "Details and changes: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: your appointment ({{ vehicle }}) is now on {{ start|date:'SHORT_DATETIME_FORMAT' }}. Details: {{ link }}",
        ),
        "fr": (
            "Votre rendez-vous est déplacé au {{ start|date:'DATETIME_FORMAT' }}",
            "Bonjour {{ customer }},\n\nVotre rendez-vous pour votre {{ vehicle }} est déplacé du "
            "{{ previous_start|date:'DATETIME_FORMAT' }} au {{ start|date:'DATETIME_FORMAT' }}.\n\n"
            "Détails et modifications : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : votre rendez-vous ({{ vehicle }}) est maintenant le {{ start|date:'SHORT_DATETIME_FORMAT' }}. "
            "Détails : {{ link }}",
        ),
        "ru": (
            "Ваша запись перенесена на {{ start|date:'DATETIME_FORMAT' }}",
            "Здравствуйте, {{ customer }}!\n\nВаша запись для автомобиля {{ vehicle }} перенесена с "
            "{{ previous_start|date:'DATETIME_FORMAT' }} на {{ start|date:'DATETIME_FORMAT' }}.\n\n"
            "Подробности и изменения: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: запись ({{ vehicle }}) перенесена на {{ start|date:'SHORT_DATETIME_FORMAT' }}. Подробнее: {{ link }}",
        ),
        "zh-hans": (
            "您的预约已改至{{ start|date:'DATETIME_FORMAT' }}",
            "{{ customer }}，您好！\n\n您的{{ vehicle }}预约已由{{ previous_start|date:'DATETIME_FORMAT' }}"
            "改至{{ start|date:'DATETIME_FORMAT' }}。\n\n详情与修改：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：您的预约（{{ vehicle }}）已改至{{ start|date:'SHORT_DATETIME_FORMAT' }}。详情：{{ link }}",
        ),
    },
    "booking_cancelled": {
        "en": (
            "Your appointment on {{ start|date:'DATETIME_FORMAT' }} is cancelled",
            "Hello {{ customer }},\n\nYour appointment on {{ start|date:'DATETIME_FORMAT' }} for your {{ vehicle }} "
            "is cancelled.\n\nBook a new one whenever it suits you: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: your appointment on {{ start|date:'SHORT_DATETIME_FORMAT' }} is cancelled. Book again: {{ link }}",
        ),
        "fr": (
            "Votre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} est annulé",
            "Bonjour {{ customer }},\n\nVotre rendez-vous du {{ start|date:'DATETIME_FORMAT' }} pour votre {{ vehicle }} "
            "est annulé.\n\nReprenez rendez-vous quand vous le souhaitez : {{ link }}\n\nCordialement,\n"
            "Votre équipe après-vente {{ site.name }}",
            "{{ site.name }} : votre rendez-vous du {{ start|date:'SHORT_DATETIME_FORMAT' }} est annulé. "
            "Reprendre rendez-vous : {{ link }}",
        ),
        "ru": (
            "Ваша запись на {{ start|date:'DATETIME_FORMAT' }} отменена",
            "Здравствуйте, {{ customer }}!\n\nВаша запись на {{ start|date:'DATETIME_FORMAT' }} для автомобиля "
            "{{ vehicle }} отменена.\n\nЗаписаться снова можно в любое время: {{ link }}\n\nС уважением,\n"
            "сервисная служба {{ site.name }}",
            "{{ site.name }}: запись на {{ start|date:'SHORT_DATETIME_FORMAT' }} отменена. Записаться снова: {{ link }}",
        ),
        "zh-hans": (
            "您{{ start|date:'DATETIME_FORMAT' }}的预约已取消",
            "{{ customer }}，您好！\n\n您{{ start|date:'DATETIME_FORMAT' }}为{{ vehicle }}所做的预约已取消。\n\n"
            "欢迎随时重新预约：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：您{{ start|date:'SHORT_DATETIME_FORMAT' }}的预约已取消。重新预约：{{ link }}",
        ),
    },
    "maintenance_reminder": {
        "en": (
            "{% if overdue %}The service of your {{ vehicle }} is overdue{% else %}Your {{ vehicle }} is due for its service{% endif %}",
            "Hello {{ customer }},\n\n{% if overdue %}The service of your {{ vehicle }} is overdue: it was due on "
            "{{ due_date|date:'DATE_FORMAT' }}{% if due_km %} or at {{ due_km }} km{% endif %}.{% else %}"
            "Your {{ vehicle }} is due for its next service around {{ due_date|date:'DATE_FORMAT' }}"
            "{% if due_km %} or {{ due_km }} km{% endif %}.{% endif %}\n\n{% if offer %}This month: {{ offer }}\n\n{% endif %}"
            "During the visit we offer a courtesy car, a shuttle or our lounge with wifi.\n"
            "Book online in two minutes: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: {% if overdue %}the service of your {{ vehicle }} is overdue (due on "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}){% else %}your {{ vehicle }} is due for its service around "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Book: {{ link }}",
        ),
        "fr": (
            "{% if overdue %}L'entretien de votre {{ vehicle }} est en retard"
            "{% else %}L'entretien de votre {{ vehicle }} approche{% endif %}",
            "Bonjour {{ customer }},\n\n{% if overdue %}L'entretien de votre {{ vehicle }} est en retard : il était prévu le "
            "{{ due_date|date:'DATE_FORMAT' }}{% if due_km %} ou à {{ due_km }} km{% endif %}.{% else %}"
            "Le prochain entretien de votre {{ vehicle }} est prévu vers le "
            "{{ due_date|date:'DATE_FORMAT' }}{% if due_km %} ou {{ due_km }} km{% endif %}.{% endif %}\n\n"
            "{% if offer %}Ce mois-ci : {{ offer }}\n\n{% endif %}"
            "Pendant l'intervention, nous vous proposons un véhicule de courtoisie, une navette ou notre salon avec wifi.\n"
            "Prenez rendez-vous en ligne en deux minutes : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : {% if overdue %}l'entretien de votre {{ vehicle }} est en retard (prévu le "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}){% else %}l'entretien de votre {{ vehicle }} est prévu vers le "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Rendez-vous : {{ link }}",
        ),
        "ru": (
            "{% if overdue %}Техобслуживание просрочено: {{ vehicle }}{% else %}Пора на техобслуживание: {{ vehicle }}{% endif %}",
            "Здравствуйте, {{ customer }}!\n\n{% if overdue %}Техобслуживание вашего {{ vehicle }} просрочено: оно было "
            "запланировано на {{ due_date|date:'DATE_FORMAT' }}{% if due_km %} или на пробег {{ due_km }} км{% endif %}.{% else %}"
            "Следующее техобслуживание вашего {{ vehicle }} предстоит около "
            "{{ due_date|date:'DATE_FORMAT' }}{% if due_km %} или при пробеге {{ due_km }} км{% endif %}.{% endif %}\n\n"
            "{% if offer %}В этом месяце: {{ offer }}\n\n{% endif %}"
            "На время работ предложим подменный автомобиль, трансфер или зону ожидания с wifi.\n"
            "Запишитесь онлайн за две минуты: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: {% if overdue %}техобслуживание {{ vehicle }} просрочено (срок "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}){% else %}техобслуживание {{ vehicle }} около "
            "{{ due_date|date:'SHORT_DATE_FORMAT' }}{% endif %}. Записаться: {{ link }}",
        ),
        "zh-hans": (
            "{% if overdue %}您的{{ vehicle }}保养已逾期{% else %}您的{{ vehicle }}即将需要保养{% endif %}",
            "{{ customer }}，您好！\n\n{% if overdue %}您的{{ vehicle }}保养已逾期：原定于{{ due_date|date:'DATE_FORMAT' }}"
            "{% if due_km %}或行驶至{{ due_km }}公里{% endif %}时保养。{% else %}您的{{ vehicle }}预计在{{ due_date|date:'DATE_FORMAT' }}"
            "{% if due_km %}或行驶至{{ due_km }}公里{% endif %}时需要下次保养。{% endif %}\n\n"
            "{% if offer %}本月优惠：{{ offer }}\n\n{% endif %}"
            "保养期间我们可提供代步车、接送服务或带wifi的休息室。\n两分钟在线预约：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：{% if overdue %}您的{{ vehicle }}保养已逾期（原定{{ due_date|date:'SHORT_DATE_FORMAT' }}）"
            "{% else %}您的{{ vehicle }}预计{{ due_date|date:'SHORT_DATE_FORMAT' }}前后需要保养{% endif %}。预约：{{ link }}",
        ),
    },
    "callback_survey": {
        "en": (
            "How was your visit to {{ site.name }}?",
            "Hello {{ customer }},\n\nThank you for trusting us with your {{ vehicle }}. Are you satisfied with our work? "
            "Tell us in one minute: {{ link }}\n\nKind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: thank you for your visit. Are you satisfied with the work on your {{ vehicle }}? {{ link }}",
        ),
        "fr": (
            "Comment s'est passée votre visite chez {{ site.name }} ?",
            "Bonjour {{ customer }},\n\nMerci de nous avoir confié votre {{ vehicle }}. Êtes-vous satisfait de notre "
            "intervention ? Dites-le-nous en une minute : {{ link }}\n\nCordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : merci de votre visite. Êtes-vous satisfait de l'intervention sur votre {{ vehicle }} ? {{ link }}",
        ),
        "ru": (
            "Как прошёл ваш визит в {{ site.name }}?",
            "Здравствуйте, {{ customer }}!\n\nСпасибо, что доверили нам ваш {{ vehicle }}. Довольны ли вы нашей работой? "
            "Расскажите нам за минуту: {{ link }}\n\nС уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: спасибо за визит. Довольны ли вы работами по {{ vehicle }}? {{ link }}",
        ),
        "zh-hans": (
            "您对{{ site.name }}的服务满意吗？",
            "{{ customer }}，您好！\n\n感谢您将{{ vehicle }}交给我们。您对本次服务满意吗？请用一分钟告诉我们：{{ link }}\n\n"
            "{{ site.name }}售后服务团队",
            "{{ site.name }}：感谢您的光临。您对{{ vehicle }}的服务满意吗？{{ link }}",
        ),
    },
    "concern_acknowledgment": {
        "en": (
            "We have received your message (ref. {{ reference }})",
            "Hello {{ customer }},\n\nWe have received your message and registered it under reference {{ reference }}:\n"
            '"{{ summary }}"\n\nThe person in charge will answer you within 24 hours.\n\n'
            "Kind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: we received your message (ref. {{ reference }}). We will answer within 24 hours.",
        ),
        "fr": (
            "Nous avons bien reçu votre message (réf. {{ reference }})",
            "Bonjour {{ customer }},\n\nNous avons bien reçu votre message, enregistré sous la référence {{ reference }} :\n"
            "« {{ summary }} »\n\nLa personne en charge vous répondra sous 24 heures.\n\n"
            "Cordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : message bien reçu (réf. {{ reference }}). Nous vous répondrons sous 24 heures.",
        ),
        "ru": (
            "Ваше обращение получено (№ {{ reference }})",
            "Здравствуйте, {{ customer }}!\n\nМы получили ваше обращение и зарегистрировали его под номером {{ reference }}:\n"
            "«{{ summary }}»\n\nОтветственный сотрудник ответит вам в течение 24 часов.\n\n"
            "С уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: обращение № {{ reference }} получено. Ответим в течение 24 часов.",
        ),
        "zh-hans": (
            "我们已收到您的反馈（编号{{ reference }}）",
            "{{ customer }}，您好！\n\n我们已收到您的反馈，编号为{{ reference }}：\n“{{ summary }}”\n\n"
            "负责人将在24小时内答复您。\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：已收到您的反馈（编号{{ reference }}），我们将在24小时内答复。",
        ),
    },
    "approval_request": {
        "en": (
            "Additional work on your {{ vehicle }} needs your approval",
            "Hello {{ customer }},\n\nDuring the work on your {{ vehicle }} our technician found: {{ items }}.\n"
            "Price: {{ total }}.\n\nNothing is done without your approval. Please approve or decline here: {{ link }}\n\n"
            "Kind regards,\nYour {{ site.name }} service team",
            "{{ site.name }}: additional work on your {{ vehicle }} ({{ total }}) needs your approval: {{ link }}",
        ),
        "fr": (
            "Travaux complémentaires sur votre {{ vehicle }} : votre accord est nécessaire",
            "Bonjour {{ customer }},\n\nLors de l'intervention sur votre {{ vehicle }}, notre technicien a constaté : {{ items }}.\n"
            "Prix : {{ total }}.\n\nRien n'est fait sans votre accord. Acceptez ou refusez ici : {{ link }}\n\n"
            "Cordialement,\nVotre équipe après-vente {{ site.name }}",
            "{{ site.name }} : travaux complémentaires sur votre {{ vehicle }} ({{ total }}), votre accord : {{ link }}",
        ),
        "ru": (
            "Дополнительные работы по {{ vehicle }}: нужно ваше согласие",
            "Здравствуйте, {{ customer }}!\n\nВо время работ с вашим {{ vehicle }} наш механик обнаружил: {{ items }}.\n"
            "Стоимость: {{ total }}.\n\nБез вашего согласия мы ничего не делаем. Согласуйте или откажитесь здесь: {{ link }}\n\n"
            "С уважением,\nсервисная служба {{ site.name }}",
            "{{ site.name }}: доп. работы по {{ vehicle }} ({{ total }}) ждут вашего согласия: {{ link }}",
        ),
        "zh-hans": (
            "您的{{ vehicle }}有追加项目需要确认",
            "{{ customer }}，您好！\n\n在为您的{{ vehicle }}维修时，技师发现：{{ items }}。\n费用：{{ total }}。\n\n"
            "未经您同意我们不会施工。请在此同意或拒绝：{{ link }}\n\n{{ site.name }}售后服务团队",
            "{{ site.name }}：您的{{ vehicle }}有追加项目（{{ total }}）需要确认：{{ link }}",
        ),
    },
    "one_time_code": {
        "en": (
            "Your code: {{ code }}",
            "Your {{ site.name }} code is {{ code }}. It is valid for {{ minutes }} minutes. Never share it.",
            "{{ site.name }}: your code is {{ code }}, valid {{ minutes }} min. Never share it.",
        ),
        "fr": (
            "Votre code : {{ code }}",
            "Votre code {{ site.name }} est {{ code }}. Il est valable {{ minutes }} minutes. Ne le communiquez à personne.",
            "{{ site.name }} : votre code est {{ code }}, valable {{ minutes }} min. Ne le communiquez à personne.",
        ),
        "ru": (
            "Ваш код: {{ code }}",
            "Ваш код {{ site.name }}: {{ code }}. Он действует {{ minutes }} минут. Никому его не сообщайте.",
            "{{ site.name }}: ваш код {{ code }}, действует {{ minutes }} мин. Никому не сообщайте.",
        ),
        "zh-hans": (
            "您的验证码：{{ code }}",
            "您的{{ site.name }}验证码为{{ code }}，{{ minutes }}分钟内有效。请勿告诉他人。",
            "{{ site.name }}：验证码{{ code }}，{{ minutes }}分钟内有效，请勿告诉他人。",
        ),
    },
}


def seed_default_templates(template_model, templates: dict | None = None) -> int:
    """Create the default texts that do not exist yet; returns how many were created.

    ``templates`` is {key: {language: (subject, e-mail text, SMS text)}}; the
    messaging defaults when omitted. Stage apps seed theirs the same way.
    """
    created = 0
    for key, languages in (DEFAULT_TEMPLATES if templates is None else templates).items():
        for language, (subject, body_text, sms_body) in languages.items():
            _obj, was_created = template_model.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body_text": body_text, "sms_body": sms_body}
            )
            created += was_created
    return created


TEXT_FIELDS = ("subject", "body_text", "sms_body")


def replace_default_texts(template_model, key: str, former: dict, current: dict) -> int:
    """Give a site's texts of ``key`` the new defaults where they are still the former ones; returns how many changed.

    ``former`` and ``current`` are {language: (subject, e-mail text, SMS text)}, frozen in the data migration that
    calls this. Each text is compared on its own: a manager's edited SMS stays as it is while the e-mail text still
    equal to the former default gets the new one.
    """
    changed_rows = 0
    for template in template_model.objects.filter(key=key, language__in=list(former)):
        changed = [
            name
            for name, old, new in zip(TEXT_FIELDS, former[template.language], current[template.language], strict=True)
            if getattr(template, name) == old and old != new
        ]
        for name in changed:
            setattr(template, name, current[template.language][TEXT_FIELDS.index(name)])
        if changed:
            template.save(update_fields=changed)
            changed_rows += 1
    return changed_rows

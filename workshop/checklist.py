"""The default multi-point inspection checklist (seeded by migration 0004, its texts in French, Russian and
Chinese added by migration 0007, then edited in the admin)."""

from decimal import Decimal

DEFAULT_CHECKLIST_NAME = "Multi-point inspection"
WHEELS = ("front left", "front right", "rear left", "rear right")
# (section, point, measurement label, hours proposed when amber or red)
DEFAULT_POINTS = [
    *[("Tyres", f"Tyre {wheel}", "Tread depth (mm)", Decimal("0.5")) for wheel in WHEELS],
    ("Brakes", "Front brake pads", "Pad thickness (mm)", Decimal("1.0")),
    ("Brakes", "Rear brake pads", "Pad thickness (mm)", Decimal("1.0")),
    ("Brakes", "Brake discs", "Disc thickness (mm)", Decimal("1.5")),
    ("Fluids", "Engine oil level", "", Decimal("0.3")),
    ("Fluids", "Coolant level", "", Decimal("0.3")),
    ("Fluids", "Brake fluid", "Water content (%)", Decimal("0.5")),
    ("Fluids", "Washer fluid", "", Decimal("0.1")),
    ("Lights", "Headlights and indicators", "", Decimal("0.3")),
    ("Lights", "Rear and brake lights", "", Decimal("0.3")),
    ("Visibility", "Wiper blades", "", Decimal("0.2")),
    ("Visibility", "Windscreen", "", Decimal("0.5")),
    ("Electrics", "Battery", "State of health (%)", Decimal("0.3")),
    ("Underbody", "Oil and fluid leaks", "", Decimal("1.0")),
    ("Underbody", "Suspension and steering joints", "", Decimal("1.0")),
    ("Underbody", "Exhaust", "", Decimal("1.0")),
]


def seed_default_checklist(template_model, item_model) -> int:
    """Create the default checklist when no checklist of that name exists; returns the number of points created."""
    template, created = template_model.objects.get_or_create(name=DEFAULT_CHECKLIST_NAME, brand=None, service_type="")
    if not created:
        return 0
    item_model.objects.bulk_create(
        item_model(template=template, position=position, section=section, label=label, measurement_label=measure, hours=hours)
        for position, (section, label, measure, hours) in enumerate(DEFAULT_POINTS, start=1)
    )
    return len(DEFAULT_POINTS)


# English text: (French, Russian, Simplified Chinese), for the checklist's name, sections, points and measurements.
DEFAULT_TRANSLATIONS = {
    DEFAULT_CHECKLIST_NAME: ("Contrôle multipoints", "Многоточечная проверка", "多点检查"),
    "Tyres": ("Pneumatiques", "Шины", "轮胎"),
    "Brakes": ("Freinage", "Тормоза", "制动系统"),
    "Fluids": ("Niveaux", "Жидкости", "油液"),
    "Lights": ("Éclairage", "Освещение", "灯光"),
    "Visibility": ("Visibilité", "Обзор", "视野"),
    "Electrics": ("Électricité", "Электрика", "电气"),
    "Underbody": ("Soubassement", "Днище", "底盘"),
    "Tyre front left": ("Pneu avant gauche", "Шина передняя левая", "左前轮胎"),
    "Tyre front right": ("Pneu avant droit", "Шина передняя правая", "右前轮胎"),
    "Tyre rear left": ("Pneu arrière gauche", "Шина задняя левая", "左后轮胎"),
    "Tyre rear right": ("Pneu arrière droit", "Шина задняя правая", "右后轮胎"),
    "Front brake pads": ("Plaquettes de frein avant", "Передние тормозные колодки", "前刹车片"),
    "Rear brake pads": ("Plaquettes de frein arrière", "Задние тормозные колодки", "后刹车片"),
    "Brake discs": ("Disques de frein", "Тормозные диски", "刹车盘"),
    "Engine oil level": ("Niveau d'huile moteur", "Уровень моторного масла", "机油液位"),
    "Coolant level": ("Niveau de liquide de refroidissement", "Уровень охлаждающей жидкости", "冷却液液位"),
    "Brake fluid": ("Liquide de frein", "Тормозная жидкость", "刹车油"),
    "Washer fluid": ("Liquide lave-glace", "Омывающая жидкость", "玻璃清洗液"),
    "Headlights and indicators": ("Phares et clignotants", "Фары и указатели поворота", "大灯和转向灯"),
    "Rear and brake lights": ("Feux arrière et feux stop", "Задние фонари и стоп-сигналы", "尾灯和刹车灯"),
    "Wiper blades": ("Balais d'essuie-glace", "Щётки стеклоочистителя", "雨刮片"),
    "Windscreen": ("Pare-brise", "Лобовое стекло", "前挡风玻璃"),
    "Battery": ("Batterie", "Аккумулятор", "蓄电池"),
    "Oil and fluid leaks": ("Fuites d'huile et de liquides", "Утечки масла и жидкостей", "机油和油液泄漏"),
    "Suspension and steering joints": ("Rotules de suspension et de direction", "Шарниры подвески и рулевого управления", "悬挂和转向球头"),
    "Exhaust": ("Échappement", "Выхлопная система", "排气系统"),
    "Tread depth (mm)": ("Profondeur de sculpture (mm)", "Глубина протектора (мм)", "胎纹深度（毫米）"),
    "Pad thickness (mm)": ("Épaisseur des plaquettes (mm)", "Толщина колодок (мм)", "刹车片厚度（毫米）"),
    "Disc thickness (mm)": ("Épaisseur du disque (mm)", "Толщина диска (мм)", "刹车盘厚度（毫米）"),
    "Water content (%)": ("Teneur en eau (%)", "Содержание воды (%)", "含水量（%）"),
    "State of health (%)": ("État de santé (%)", "Остаточная ёмкость (%)", "健康状态（%）"),
}
TRANSLATED_LANGUAGES = ("fr", "ru", "zh-hans")


def _with_translations(row, fields: tuple[str, ...]) -> None:
    """Add the known translations of ``row``'s English texts; a translation already given stays."""
    for field in fields:
        for language, text in zip(TRANSLATED_LANGUAGES, DEFAULT_TRANSLATIONS.get(getattr(row, field), ()), strict=False):
            row.translations.setdefault(language, {}).setdefault(field, text)


def translate_default_checklist(template_model, item_model) -> None:
    """Give the default checklist's name and points their French, Russian and Chinese texts."""
    for template in template_model.objects.filter(name=DEFAULT_CHECKLIST_NAME):
        _with_translations(template, ("name",))
        template.save(update_fields=["translations"])
    items = list(item_model.objects.filter(template__name=DEFAULT_CHECKLIST_NAME))
    for item in items:
        _with_translations(item, ("section", "label", "measurement_label"))
    item_model.objects.bulk_update(items, ["translations"])

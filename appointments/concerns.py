"""What a request or a visit is about, read in any of the four languages: the comeback heuristic.

A comeback is a visit for the same concern as one less than 30 days before (it
counts against Fix-It-Right). The customer rarely says it with the catalogue's
words, and the earlier job may have been written in another language (a job
typed in French, a customer calling in Russian), so two concerns are the same
when they share any of:

1. a catalogue job (the same labour operation);
2. a word of at least four letters, accents and case folded (both texts in one
   language: "squeak" and "squeaking" are different words, "grince" and
   "grince" the same);
3. a *concern category*: brakes, tyres, air conditioning... Each category has
   keyword stems in English, French, Russian and Chinese; the categories of a
   text are those whose stems it contains. A catalogue job brings the
   categories of its description in every language it is translated into.

Matching: the text is folded (lower case, no accents: "ё" reads "е", "é"
reads "e"); a Latin or Cyrillic stem matches the beginning of a word ("frein"
finds "freins" and "freinage", "тормоз" finds "тормоза"), a Chinese keyword
matches anywhere (Chinese has no spaces between words). Symptoms ("noise",
"vibration", "light") are no category: a noise from the brakes and a noise
from the exhaust are different concerns; a symptom still matches as a shared
word when both texts use it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.lib.text import fold

MIN_WORD = 4
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Category:
    code: str
    label: object  # a lazy translation
    stems: tuple[str, ...]


CATEGORIES = (
    Category(
        "brakes",
        _("brakes"),
        ("brake", "braking", "frein", "plaquette", "тормоз", "колодк", "刹车", "制动"),
    ),
    Category(
        "tyres",
        _("tyres"),
        ("tyre", "tire", "puncture", "pneu", "crevaison", "шин", "покрышк", "прокол", "轮胎", "补胎", "爆胎"),
    ),
    Category(
        "oil",
        _("engine oil"),
        ("oil", "huile", "vidange", "масл", "机油"),
    ),
    Category(
        "air_conditioning",
        _("air conditioning"),
        ("aircon", "air con", "air-con", "climat", "clim", "кондиционер", "климат", "空调"),
    ),
    Category(
        "battery",
        _("battery and starting"),
        ("batter", "starter", "demarr", "аккумулятор", "акб", "стартер", "заводит", "电瓶", "蓄电池", "启动"),
    ),
    Category(
        "engine",
        _("engine"),
        ("engine", "motor", "moteur", "двигател", "мотор", "发动机", "引擎"),
    ),
    Category(
        "exhaust",
        _("exhaust"),
        ("exhaust", "echappement", "silencieux", "выхлоп", "глушител", "排气"),
    ),
    Category(
        "suspension",
        _("suspension and steering"),
        (
            "suspension",
            "shock absorber",
            "steering",
            "amortisseur",
            "parallelisme",
            "подвеск",
            "амортизатор",
            "рулев",
            "悬挂",
            "减震",
            "转向",
        ),
    ),
    Category(
        "transmission",
        _("clutch and gearbox"),
        ("clutch", "gearbox", "transmission", "embrayage", "boite de vitesse", "сцеплени", "коробк", "кпп", "离合", "变速箱"),
    ),
    Category(
        "cooling",
        _("cooling"),
        (
            "coolant",
            "radiator",
            "overheat",
            "refroidissement",
            "radiateur",
            "surchauffe",
            "охлажд",
            "радиатор",
            "перегрев",
            "антифриз",
            "冷却",
            "水箱",
            "过热",
        ),
    ),
    Category(
        "lights",
        _("lights"),
        ("headlight", "headlamp", "bulb", "phare", "ampoule", "фар", "лампочк", "大灯", "车灯", "灯泡"),
    ),
    Category(
        "wipers",
        _("wipers and windscreen"),
        ("wiper", "windscreen", "windshield", "essuie", "pare brise", "pare-brise", "дворник", "лобов", "雨刮", "挡风玻璃"),
    ),
    Category(
        "bodywork",
        _("bodywork"),
        ("bodywork", "dent", "scratch", "carrosserie", "rayure", "bosse", "кузов", "вмятин", "царапин", "钣金", "喷漆", "刮痕"),
    ),
)
_FOLDED = [(category, tuple(fold(stem) for stem in category.stems)) for category in CATEGORIES]
LABELS = {category.code: category.label for category in CATEGORIES}


def _has_stem(folded: str, words: list[str], stem: str) -> bool:
    if _CJK.search(stem):
        return stem in folded
    if " " in stem or "-" in stem:  # a phrase: the start of a word, then the rest as written
        return re.search(rf"(?<!\w){re.escape(stem)}", folded) is not None
    return any(word.startswith(stem) for word in words)


def categories_in(texts: Iterable[str]) -> set[str]:
    """The codes of the concern categories whose keywords appear in any of the texts."""
    found: set[str] = set()
    for text in texts:
        folded = fold(text)
        if not folded:
            continue
        words = _WORD.findall(folded)
        found.update(category.code for category, stems in _FOLDED if any(_has_stem(folded, words, stem) for stem in stems))
    return found


def concern_words(text: str) -> set[str]:
    """The words of at least four letters, folded."""
    return {word for word in _WORD.findall(fold(text)) if len(word) >= MIN_WORD}


def operation_texts(operation) -> list[str]:
    """A catalogue job's description in every language it has."""
    translated = (texts.get("description", "") for texts in (operation.translations or {}).values())
    return [operation.description, *filter(None, translated)]


@dataclass(frozen=True)
class Concern:
    """What one request or visit is about: its catalogue jobs, its words and its categories."""

    operation_ids: frozenset[int]
    words: frozenset[str]
    categories: frozenset[str]

    @classmethod
    def of(cls, *, operations: Iterable = (), texts: Iterable[str] = ()) -> "Concern":
        """``texts``: the customer's words and the jobs as written; ``operations``: the catalogue jobs, read in every language."""
        operations, texts = list(operations), [text for text in texts if text]
        return cls(
            operation_ids=frozenset(operation.pk for operation in operations),
            words=frozenset(concern_words(" ".join(texts))),
            categories=frozenset(categories_in([*texts, *(text for operation in operations for text in operation_texts(operation))])),
        )

    def __bool__(self) -> bool:
        return bool(self.operation_ids or self.words or self.categories)


@dataclass(frozen=True)
class SameConcern:
    """What two concerns share; empty when they are different concerns."""

    operation_ids: frozenset[int]
    words: frozenset[str]
    categories: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.operation_ids or self.words or self.categories)

    def reasons(self) -> list[str]:
        """The shared words, then the shared categories in the reader's language (the caller adds the jobs' names)."""
        return [*sorted(self.words), *(str(LABELS[code]) for code in sorted(self.categories))]


def same_concern(new: Concern, earlier: Concern) -> SameConcern:
    return SameConcern(
        operation_ids=new.operation_ids & earlier.operation_ids,
        words=new.words & earlier.words,
        categories=new.categories & earlier.categories,
    )

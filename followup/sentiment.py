"""Does a customer's free-text answer read as negative? A word list per language, accent- and case-insensitive.

A deliberate, explainable heuristic (no model): a remark that contains one of
these stems raises the same hot alert as a low rating. It errs on the side of
alerting: a manager reading a false alarm costs less than a missed complaint.
"""

import re

from aftersales.lib.text import fold

NEGATIVE_STEMS = {
    "en": [
        "not satisfied",
        "unsatisfied",
        "dissatisfied",
        "disappoint",
        "unhappy",
        "badly",
        "bad service",
        "bad job",
        "poor",
        "terrible",
        "awful",
        "worse",
        "problem",
        "still broken",
        "not fixed",
        "not repaired",
        "complain",
        "rude",
        "dirty",
        "scratch",
        "damage",
        "overcharg",
        "too expensive",
        "never again",
        "waited too long",
    ],
    "fr": [
        "pas satisfait",
        "insatisfait",
        "mecontent",
        "decu",
        "decevant",
        "mauvais",
        "probleme",
        "toujours en panne",
        "pas repare",
        "pas regle",
        "plainte",
        "reclamation",
        "impoli",
        "sale",
        "rayure",
        "raye",
        "abime",
        "degat",
        "trop cher",
        "plus jamais",
        "attendu trop",
    ],
    "ru": [
        "недовол",
        "не доволен",
        "разочарова",
        "плохо",
        "плохой",
        "ужасн",
        "проблем",
        "не починили",
        "не исправ",
        "жалоб",
        "грубо",
        "грязн",
        "царапин",
        "поврежд",
        "слишком дорого",
        "больше никогда",
        "долго ждал",
    ],
    "zh-hans": [
        "不满意",
        "失望",
        "很差",
        "太差",
        "糟糕",
        "问题",
        "没修好",
        "没有修好",
        "投诉",
        "不礼貌",
        "脏",
        "划痕",
        "损坏",
        "太贵",
        "再也不",
    ],
}
# Stems start at a word boundary (so "bad" does not match "badge"); Chinese has no spaces between words.
_PATTERN = re.compile(
    "|".join(
        re.escape(fold(stem)) if language == "zh-hans" else r"\b" + re.escape(fold(stem))
        for language, stems in NEGATIVE_STEMS.items()
        for stem in stems
    )
)


def reads_negative(text: str) -> bool:
    return bool(text and _PATTERN.search(fold(text)))

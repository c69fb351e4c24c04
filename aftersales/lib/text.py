import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case text without accents, for accent- and case-insensitive search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


# Russian plates use only the twelve Cyrillic letters that look like Latin
# ones; folding them lets an agent type the plate on a Latin keyboard.
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


def plate_key(plate: str) -> str:
    """A plate with only its letters and digits, upper-case, Cyrillic look-alikes in Latin.

    'ab-123-cd' gives 'AB123CD'; 'А123ВС77' gives 'A123BC77'.
    """
    return "".join(ch for ch in (plate or "").upper() if ch.isalnum()).translate(_CYRILLIC_LOOKALIKES)

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case text without accents, for accent- and case-insensitive search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def plate_key(plate: str) -> str:
    """A plate with only its letters and digits, upper-case: 'ab-123-cd' gives 'AB123CD'."""
    return "".join(ch for ch in (plate or "").upper() if ch.isalnum())

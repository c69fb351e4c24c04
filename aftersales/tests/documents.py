"""What a reader sees in a document: a PDF read back as text, and the English labels left in a translated one."""

import re
import subprocess

CJK = re.compile(r"[\u3400-\u9fff]")


def pdf_text(content: bytes) -> str:
    """The PDF's text as pdftotext (poppler-utils) reads it, every run of spaces and line breaks as one space."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def spaced(text: str) -> str:
    """Text with its no-break spaces (French and Russian numbers and amounts) as plain spaces."""
    return " ".join(text.split())


def labels_in(text: str, labels) -> list[str]:
    """The labels found in ``text`` as whole words, case included ("Rear" is not found in "rear door")."""
    return [label for label in labels if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]

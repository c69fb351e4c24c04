"""Checking the hash chain, and the archive of a closed period.

``verify_site_chain(site)`` recomputes every chained row of a site (issued
invoices and credit notes, payments, closures) from its current database
content, in chain order, and returns the first broken link: a row whose
content no longer gives its hash (altered), whose ``previous_hash`` is not
the previous row's hash (a row removed or inserted), whose seal does not
match (a hash rewritten without the server's key), or a gap in positions.

``build_archive(closure)`` writes a zip of the closed period: the
documents' content with their chain fields (``invoices.json``,
``payments.json``, ``closures.json``), the issued PDFs, and
``manifest.json`` listing each file's SHA-256; ``manifest.sha256`` holds the
manifest's own hash and its seal. ``verify_archive(data)`` checks all of it
later, without the database.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from aftersales.accounts.models import Site

from .models import Closure, Invoice, InvoicePdf, Payment
from .services import chain_hash, chain_seal, closure_content, invoice_content, payment_content


@dataclass(frozen=True)
class Link:
    position: int
    kind: str
    label: str
    content: dict
    previous_hash: str
    hash: str
    seal: str


def _links(site: Site, *, starts_on=None, ends_on=None) -> list[Link]:
    invoices = Invoice.objects.filter(site=site, status=Invoice.Status.ISSUED).select_related("site", "work_order", "vehicle", "credited")
    payments = Payment.objects.filter(site=site).select_related("site", "work_order")
    closures = Closure.objects.filter(site=site).select_related("site")
    if starts_on is not None:
        invoices = invoices.filter(issued_on__range=(starts_on, ends_on))
        payments = payments.filter(received_on__range=(starts_on, ends_on))
        closures = closures.filter(starts_on__gte=starts_on, ends_on__lte=ends_on)
    links = [
        Link(row.chain_position, "invoice", row.number, invoice_content(row), row.previous_hash, row.hash, row.seal)
        for row in invoices.prefetch_related("lines")
    ]
    links += [
        Link(row.chain_position, "payment", f"payment {row.pk}", payment_content(row), row.previous_hash, row.hash, row.seal)
        for row in payments
    ]
    links += [
        Link(row.chain_position, "closure", str(row), closure_content(row), row.previous_hash, row.hash, row.seal) for row in closures
    ]
    return sorted(links, key=lambda link: link.position or 0)


def _first_break(links: list[Link], *, contiguous: bool) -> str | None:
    previous: Link | None = None
    for link in links:
        if chain_hash(link.previous_hash, link.content) != link.hash:
            return f"#{link.position} {link.kind} {link.label}: its content was altered (hash mismatch)"
        if link.seal != chain_seal(link.hash):
            return f"#{link.position} {link.kind} {link.label}: its seal does not match its hash"
        if previous is not None and link.position == previous.position + 1 and link.previous_hash != previous.hash:
            return f"#{link.position} {link.kind} {link.label}: does not follow #{previous.position} (previous hash differs)"
        if contiguous and link.position != (previous.position + 1 if previous else 1):
            expected = previous.position + 1 if previous else 1
            return f"#{expected}: missing from the chain (next found: #{link.position} {link.kind} {link.label})"
        if contiguous and previous is None and link.previous_hash:
            return f"#{link.position} {link.kind} {link.label}: the first link has a previous hash"
        previous = link
    return None


def verify_site_chain(site: Site) -> tuple[int, str | None]:
    """(links checked, the first broken link or None)."""
    links = _links(site)
    return len(links), _first_break(links, contiguous=True)


def _json(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, indent=1, ensure_ascii=False).encode()


def _entries(links: list[Link], kind: str) -> list[dict]:
    return [
        {"position": link.position, "previous_hash": link.previous_hash, "hash": link.hash, "seal": link.seal, "content": link.content}
        for link in links
        if link.kind == kind
    ]


def build_archive(closure: Closure) -> bytes:
    """A zip of the closed period, with its manifest and the manifest's hash and seal."""
    links = _links(closure.site, starts_on=closure.starts_on, ends_on=closure.ends_on)
    files = {
        "invoices.json": _json(_entries(links, "invoice")),
        "payments.json": _json(_entries(links, "payment")),
        "closures.json": _json(_entries(links, "closure")),
    }
    for pdf in InvoicePdf.objects.filter(
        invoice__site=closure.site, invoice__issued_on__range=(closure.starts_on, closure.ends_on)
    ).select_related("invoice"):
        files[f"pdf/{pdf.invoice.number}.pdf"] = bytes(pdf.content)
    manifest = _json(
        {
            "site": closure.site.code,
            "period": closure.period,
            "starts_on": closure.starts_on,
            "ends_on": closure.ends_on,
            "closure_hash": closure.hash,
            "exported_at": timezone.now(),
            "files": {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())},
        }
    )
    digest = hashlib.sha256(manifest).hexdigest()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", manifest)
        archive.writestr("manifest.sha256", f"{digest} {chain_seal(digest)}\n")
    return buffer.getvalue()


def verify_archive(data: bytes) -> tuple[int, str | None]:
    """(links checked, the first problem or None) of an archive written by ``build_archive``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = archive.read("manifest.json")
        digest, seal = archive.read("manifest.sha256").decode().split()
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError):
        return 0, "not an invoicing archive (manifest missing or unreadable)"
    if hashlib.sha256(manifest).hexdigest() != digest:
        return 0, "manifest.json was altered (its hash differs from manifest.sha256)"
    if chain_seal(digest) != seal:
        return 0, "the manifest's seal does not match"
    listed = json.loads(manifest)["files"]
    if set(listed) != set(archive.namelist()) - {"manifest.json", "manifest.sha256"}:
        return 0, "the archive's files differ from the manifest's list"
    for name, expected in listed.items():
        if hashlib.sha256(archive.read(name)).hexdigest() != expected:
            return 0, f"{name} was altered (its hash differs from the manifest)"
    links = [
        Link(
            entry["position"],
            kind,
            entry["content"].get("number") or kind,
            entry["content"],
            entry["previous_hash"],
            entry["hash"],
            entry["seal"],
        )
        for kind in ("invoice", "payment", "closure")
        for entry in json.loads(archive.read(f"{kind}s.json"))
    ]
    links.sort(key=lambda link: link.position)
    return len(links), _first_break(links, contiguous=False)

"""The hash chain: its links, checking it, and the archive of a closed period.

Every chained row (an issued invoice or credit note, a payment or a refund,
a closure) binds its content, as plain data (``invoice_content``,
``payment_content``, ``closure_content``), to the previous row's hash:
``chain_hash``, signed with the server's key by ``chain_seal``. A chained
write locks its site's ``ChainHead`` first (``lock_chain_head``), then
``append_to_chain`` gives the row its position and hashes.

Content keys added after rows were chained (a service period, the lines a
credit note credits, a refund, a closure's refunds) are written only when the
row has them: the rows chained before them give the same content, and still
verify.

The head (the site's last position and hash) is sealed with the same key
(``head_seal``): cutting the chain's tail and moving the head back one step
needs the key too. Each closure records the head it saw (a position and a
hash bound into its own content).

``verify_site_chain(site)`` recomputes every chained row of a site (issued
invoices and credit notes, payments, closures) from its current database
content, in chain order, and returns the first broken link: a row whose
content no longer gives its hash (altered), whose ``previous_hash`` is not
the previous row's hash (a row removed or inserted), whose seal does not
match (a hash rewritten without the server's key), a gap in positions, a
closure whose recorded head is no longer in the chain, or a head that is not
the last link or does not match its seal (the tail cut).

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
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from aftersales.accounts.models import Site
from workshop.signed_content import canonical_json

from .models import ChainHead, Closure, Invoice, InvoicePdf, Payment

CHAIN_SALT = "invoicing.chain-seal"


def chain_hash(previous_hash: str, content: dict) -> str:
    return hashlib.sha256((previous_hash + canonical_json(content)).encode()).hexdigest()


def chain_seal(digest: str) -> str:
    """A keyed signature of a hash: rewriting the chain needs the server's secret, not only database access."""
    return salted_hmac(CHAIN_SALT, digest, secret=settings.INVOICING_CHAIN_KEY, algorithm="sha256").hexdigest()


def head_seal(*, site_code: str, position: int, digest: str) -> str:
    """The seal of a site's chain head: binds the site, the last position and the last hash to the server's key."""
    return chain_seal(f"head:{site_code}:{position}:{digest}")


def lock_chain_head(site: Site) -> ChainHead:
    """The site's chain head, locked: a chained write takes it first, before any other lock."""
    head, _created = ChainHead.objects.get_or_create(site=site, defaults={"seal": head_seal(site_code=site.code, position=0, digest="")})
    return ChainHead.objects.select_for_update(of=("self",)).select_related("site").get(pk=head.pk)


def append_to_chain(head: ChainHead, row, content: dict) -> None:
    """Give ``row`` the next position of its site's chain and its hashes; the caller saves both."""
    head.position += 1
    row.chain_position = head.position
    row.previous_hash = head.hash
    row.hash = chain_hash(head.hash, content)
    row.seal = chain_seal(row.hash)
    head.hash = row.hash
    head.seal = head_seal(site_code=head.site.code, position=head.position, digest=head.hash)
    head.save(update_fields=["position", "hash", "seal"])


def _fixed(value: Decimal) -> str:
    """A decimal as stored (two places), whether read from the database or still in memory."""
    return f"{Decimal(value):.2f}"


def invoice_content(invoice: Invoice) -> dict:
    """What an issued invoice or credit note says, as plain data (its hash binds to it)."""
    lines = invoice.lines.select_related("credited_line").order_by("position", "pk")
    content = {
        "type": "invoice",
        "kind": invoice.kind,
        "site": invoice.site.code,
        "seller": [invoice.site.legal_name, invoice.site.vat_number],
        "number": invoice.number,
        "issued_at": invoice.issued_at.isoformat() if invoice.issued_at else None,
        "issued_on": invoice.issued_on.isoformat() if invoice.issued_on else None,
        "work_order": invoice.work_order.number,
        "payer": invoice.payer,
        "bill_to": invoice.bill_to,
        "customer": invoice.customer_id,
        "vehicle": [invoice.vehicle.vin, invoice.vehicle.plate, invoice.mileage],
        "credited": invoice.credited.number if invoice.credited_id else None,
        "reason": invoice.reason,
        "currency": invoice.currency,
        "lines": [
            [
                line.kind,
                line.job_id,
                line.description,
                line.reference,
                *map(_fixed, (line.quantity, line.unit_price, line.vat_rate, line.net, line.vat)),
                line.variance_reason,
            ]
            for line in lines
        ],
        "totals": [_fixed(invoice.net_total), _fixed(invoice.vat_total), _fixed(invoice.gross_total)],
        "payment_terms": invoice.payment_terms,
    }
    if invoice.service_from:
        content["service"] = [invoice.service_from.isoformat(), invoice.service_to.isoformat()]
    credits = [[line.position, line.credited_line.position] for line in lines if line.credited_line_id]
    if credits:
        content["credits"] = credits
    return content


def payment_content(payment: Payment) -> dict:
    content = {
        "type": "payment",
        "site": payment.site.code,
        "work_order": payment.work_order.number,
        "method": payment.method,
        "amount": _fixed(payment.amount),
        "tendered": _fixed(payment.tendered) if payment.tendered is not None else None,
        "change": _fixed(payment.change_given),
        "currency": payment.currency,
        "deposit": payment.is_deposit,
        "reference": payment.reference,
        "received_at": payment.received_at.isoformat(),
        "received_on": payment.received_on.isoformat(),
        "received_by": payment.received_by_id,
    }
    if payment.is_refund:
        content["kind"] = payment.kind
    return content


def closure_content(closure: Closure) -> dict:
    content = {
        "type": "closure",
        "site": closure.site.code,
        "period": closure.period,
        "starts_on": closure.starts_on.isoformat(),
        "ends_on": closure.ends_on.isoformat(),
        "documents": closure.document_count,
        "totals": [_fixed(closure.net_total), _fixed(closure.vat_total), _fixed(closure.gross_total)],
        "payments": _fixed(closure.payments_total),
        "grand_total": _fixed(closure.grand_total),
        "closed_at": closure.closed_at.isoformat(),
        "closed_by": closure.closed_by_id,
    }
    if closure.refunds_total:
        content["refunds"] = _fixed(closure.refunds_total)
    if closure.head_position is not None:
        content["head"] = [closure.head_position, closure.head_hash]
    return content


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


def _missing_head(links: list[Link], copies: Iterable[tuple[int, str]]) -> str | None:
    """The first head seen (by a closure when it was made, or in a copy kept outside) that is no longer in the chain."""
    hashes = {0: "", **{link.position: link.hash for link in links}}
    seen = [(f"#{link.position} closure {link.label}", *link.content["head"]) for link in links if "head" in link.content]
    seen += [("the head copy", position, digest) for position, digest in copies]
    for where, position, digest in seen:
        if hashes.get(position) != digest:
            return f"{where}: the head it saw (#{position}) is missing from the chain"
    return None


def _head_problem(site: Site, head: ChainHead | None, links: list[Link]) -> str | None:
    """The head must be the last link, and carry the seal of that position and hash."""
    last_position, last_hash = (links[-1].position, links[-1].hash) if links else (0, "")
    if head is None:
        return f"the chain head is missing (the last link is #{last_position})" if links else None
    if head.seal != head_seal(site_code=site.code, position=head.position, digest=head.hash):
        return f"the chain head (#{head.position}): its seal does not match (moved or rewritten without the server's key)"
    if head.position > last_position:
        return f"the chain head is at #{head.position} but the last link is #{last_position}: links are missing at the end"
    if head.position < last_position:
        return f"the chain head is at #{head.position}, behind the last link #{last_position}"
    if head.hash != last_hash:
        return f"the chain head (#{head.position}): its hash is not the last link's"
    return None


def verify_site_chain(site: Site, *, copies: Iterable[tuple[int, str]] = ()) -> tuple[int, str | None]:
    """(links checked, the first broken link or None); ``copies`` are heads (position, hash) kept outside the
    database, such as the daily e-mail's, that must still be links of the chain."""
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            # The links and the head as of one moment: a document chained meanwhile is no false alarm.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        links = _links(site)
        head = ChainHead.objects.filter(site=site).first()
    problem = _first_break(links, contiguous=True) or _missing_head(links, copies) or _head_problem(site, head, links)
    return len(links), problem


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

"""The accounting export: a site's invoices, credit notes, payments, refunds and VAT of a period, as journal entries.

Two journals, their codes and accounts from the site's ``AccountingMapping``:

- sales: one entry per invoice or credit note, the customer's account (with
  the customer as auxiliary account) against the sales account of each VAT
  rate and the VAT collected; a credit note the other way round;
- receipts: one entry per payment, the treasury account of its method (cash,
  card, bank; the customer-credit account for money kept as credit) against
  the customer's account; a refund the other way round.

Every entry balances, so the file does: debits equal credits. Its sales and
VAT add up to the closures' totals of the period, and its treasury movements
to their payments (money received less refunds, credit left out).

``prepare_export`` checks what the export needs (a mapping, a sales account
for every VAT rate used, a FEC only for a French site) before anything is
written; ``AccountingExport.stream()`` then reads the period in SQL, summed
per document and rate, a chunk at a time, and yields the file line by line.

The FEC follows article A47 A-1 of the Livre des procédures fiscales: its 18
columns with their names on a header line, separated by tabs, dates as
YYYYMMDD, amounts with a decimal comma, encoded in ISO 8859-15 (a character
outside it is written without its accent, or as "?"); the entries are in the
chronological order of their validation (an invoice is final when issued,
a payment when taken), numbered without gaps within each journal.
"""

import csv
import heapq
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.legal_identity import LegalIdentity
from aftersales.accounts.models import Site
from aftersales.lib.money import ZERO, to_cents, vat_rounding, vat_totals
from workshop.models import Payer

from .country_rules import rules_for
from .exceptions import InvalidInvoiceInput
from .forms import AccountingExportForm
from .models import AccountingMapping, Closure, Invoice, InvoiceLine, Payment
from .services.closures import money_moved

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
CSV_COLUMNS = (
    "journal",
    "journal_name",
    "entry",
    "date",
    "account",
    "account_name",
    "auxiliary_account",
    "auxiliary_name",
    "document",
    "label",
    "debit",
    "credit",
    "currency",
)
FEC_ENCODING = "iso-8859-15"
CHUNK = 2000
SALES, RECEIPTS = 0, 1  # the order of the two journals' entries of a same day


@dataclass(frozen=True)
class EntryLine:
    journal: str
    journal_label: str
    number: int
    day: date
    account: str
    account_label: str
    aux: str
    aux_label: str
    piece: str
    label: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class PeriodTotals:
    """What the period's documents and payments add up to, and what its day closures recorded."""

    documents: int
    gross: Decimal
    vat: Decimal
    money: Decimal
    closed_days: int
    closed_documents: int
    closed_gross: Decimal
    closed_money: Decimal

    @property
    def matches_closures(self) -> bool:
        return (self.closed_documents, self.closed_gross, self.closed_money) == (self.documents, self.gross, self.money)


def _customer_name(first_name: str, last_name: str, company: str) -> str:
    person = " ".join(part for part in (first_name, last_name) if part)
    if company:
        return f"{company} ({person})" if person else company
    return person


def _rate_text(rate: Decimal) -> str:
    """20.00 -> '20', 5.50 -> '5.5'."""
    return f"{rate:f}".rstrip("0").rstrip(".")


def _aux(payer: str, customer_id: int) -> str:
    return f"C{customer_id:06d}" if payer == Payer.CUSTOMER else payer.upper()


class AccountingExport:
    def __init__(self, *, site: Site, mapping: AccountingMapping, starts_on: date, ends_on: date, file_format: str):
        self.site, self.mapping, self.starts_on, self.ends_on, self.file_format = site, mapping, starts_on, ends_on, file_format
        self.sales_accounts = {account.vat_rate: account for account in mapping.sales_accounts.all()}

    @property
    def filename(self) -> str:
        if self.file_format == AccountingExportForm.FEC:
            identity = LegalIdentity.objects.filter(site=self.site).first()
            return f"{identity.siren if identity and identity.siren else self.site.code}FEC{self.ends_on:%Y%m%d}.txt"
        return f"journal-{self.site.code}-{self.starts_on:%Y%m%d}-{self.ends_on:%Y%m%d}.csv"

    @property
    def content_type(self) -> str:
        if self.file_format == AccountingExportForm.FEC:
            return f"text/plain; charset={FEC_ENCODING}"
        return "text/csv; charset=utf-8"

    # --- the entries --------------------------------------------------------------

    def entries(self) -> Iterator[list[EntryLine]]:
        """Every entry of the period (a list of balanced lines), in the chronological order of validation."""
        with translation.override(self.site.language):
            yield from heapq.merge(self._document_entries(), self._payment_entries(), key=lambda entry: entry[0].day)

    def _document_rows(self):
        return (
            InvoiceLine.objects.filter(
                invoice__site=self.site, invoice__status=Invoice.Status.ISSUED, invoice__issued_on__range=(self.starts_on, self.ends_on)
            )
            .values(
                "invoice_id",
                "invoice__number",
                "invoice__issued_on",
                "invoice__sequence",
                "invoice__kind",
                "invoice__payer",
                "invoice__bill_to",
                "invoice__customer_id",
                "vat_rate",
            )
            .annotate(net=Sum("net"), vat=Sum("vat"))
            .order_by("invoice__issued_on", "invoice__year", "invoice__sequence", "invoice_id", "vat_rate")
        )

    def _document_entries(self) -> Iterator[list[EntryLine]]:
        mapping, rounding = self.mapping, vat_rounding(self.site.country)
        kinds = dict(Invoice.Kind.choices)
        rows = self._document_rows().iterator(chunk_size=CHUNK)
        for number, (_invoice, group) in enumerate(groupby(rows, key=itemgetter("invoice_id")), start=1):
            group = list(group)
            head = group[0]
            sign = -1 if head["invoice__kind"] == Invoice.Kind.CREDIT_NOTE else 1
            totals = vat_totals(((to_cents(row["net"]), row["vat_rate"], to_cents(row["vat"])) for row in group), rounding=rounding)
            label = f"{kinds[head['invoice__kind']]} {head['invoice__number']} {head['invoice__bill_to']}"
            line = self._line_maker(
                mapping.sales_journal, mapping.sales_journal_label, number, head["invoice__issued_on"], head["invoice__number"], label
            )
            aux = _aux(head["invoice__payer"], head["invoice__customer_id"])
            entry = [line(mapping.customer_account, mapping.customer_account_label, sign * totals.gross, aux, head["invoice__bill_to"])]
            for rate in totals.by_rate:
                sales = self.sales_accounts[rate.rate]
                entry.append(line(sales.account, sales.label, -sign * rate.net))
            for rate in totals.by_rate:
                if rate.vat:
                    entry.append(line(mapping.vat_account, f"{mapping.vat_account_label} {_rate_text(rate.rate)} %", -sign * rate.vat))
            yield entry

    def _payment_entries(self) -> Iterator[list[EntryLine]]:
        mapping = self.mapping
        kinds, methods = dict(Payment.Kind.choices), dict(Payment.Method.choices)
        rows = (
            Payment.objects.filter(site=self.site, received_on__range=(self.starts_on, self.ends_on))
            .values(
                "pk",
                "kind",
                "method",
                "amount",
                "received_on",
                "reference",
                "work_order__number",
                "work_order__customer_id",
                "work_order__customer__first_name",
                "work_order__customer__last_name",
                "work_order__customer__company_name",
            )
            .order_by("received_on", "received_at", "pk")
        )
        for number, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
            sign = -1 if row["kind"] == Payment.Kind.REFUND else 1
            amount = to_cents(row["amount"])
            name = _customer_name(
                row["work_order__customer__first_name"], row["work_order__customer__last_name"], row["work_order__customer__company_name"]
            )
            piece = f"{row['work_order__number']}/{row['pk']}"
            label = " ".join(
                part for part in (str(kinds[row["kind"]]), str(methods[row["method"]]), row["work_order__number"], row["reference"]) if part
            )
            line = self._line_maker(mapping.receipts_journal, mapping.receipts_journal_label, number, row["received_on"], piece, label)
            account, account_label = mapping.treasury_account(row["method"])
            yield [
                line(account, account_label, sign * amount),
                line(
                    mapping.customer_account,
                    mapping.customer_account_label,
                    -sign * amount,
                    _aux(Payer.CUSTOMER, row["work_order__customer_id"]),
                    name,
                ),
            ]

    @staticmethod
    def _line_maker(journal: str, journal_label: str, number: int, day: date, piece: str, label: str):
        """Lines of one entry: a positive amount is a debit, a negative one a credit."""

        def line(account: str, account_label: str, amount: Decimal, aux: str = "", aux_label: str = "") -> EntryLine:
            return EntryLine(
                journal=journal,
                journal_label=journal_label,
                number=number,
                day=day,
                account=account,
                account_label=str(account_label),
                aux=aux,
                aux_label=aux_label,
                piece=piece,
                label=label,
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
            )

        return line

    # --- the files ----------------------------------------------------------------

    def stream(self) -> Iterator[bytes]:
        """The file, line by line, as bytes."""
        if self.file_format == AccountingExportForm.FEC:
            yield _fec_row(FEC_COLUMNS)
            for entry in self.entries():
                for line in entry:
                    yield _fec_row(_fec_fields(line))
        else:
            yield _csv_row(CSV_COLUMNS)
            for entry in self.entries():
                for line in entry:
                    yield _csv_row(_csv_fields(line, self.site.currency))

    def totals(self) -> PeriodTotals:
        """The period's documents and money, beside what its day closures recorded (in SQL, without reading the entries)."""
        documents = Invoice.objects.filter(site=self.site, status=Invoice.Status.ISSUED, issued_on__range=(self.starts_on, self.ends_on))
        sums = documents.aggregate(
            count=Count("pk"),
            gross=Sum("gross_total", filter=Q(kind=Invoice.Kind.INVOICE)),
            gross_credited=Sum("gross_total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
            vat=Sum("vat_total", filter=Q(kind=Invoice.Kind.INVOICE)),
            vat_credited=Sum("vat_total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
        )
        received, refunded = money_moved(self.site, starts_on=self.starts_on, ends_on=self.ends_on)
        closed = Closure.objects.filter(
            site=self.site, period=Closure.Period.DAY, starts_on__gte=self.starts_on, ends_on__lte=self.ends_on
        ).aggregate(days=Count("pk"), documents=Sum("document_count"), gross=Sum("gross_total"), money=Sum("payments_total"))
        return PeriodTotals(
            documents=sums["count"],
            gross=to_cents(sums["gross"] or ZERO) - to_cents(sums["gross_credited"] or ZERO),
            vat=to_cents(sums["vat"] or ZERO) - to_cents(sums["vat_credited"] or ZERO),
            money=received - refunded,
            closed_days=closed["days"],
            closed_documents=closed["documents"] or 0,
            closed_gross=to_cents(closed["gross"] or ZERO),
            closed_money=to_cents(closed["money"] or ZERO),
        )


def prepare_export(*, site: Site, starts_on: date, ends_on: date, file_format: str) -> AccountingExport:
    """Check what the export needs, before a line is written: refused with the field to correct."""
    if file_format == AccountingExportForm.FEC and not rules_for(site.country).accounting_export:
        raise InvalidInvoiceInput(_("The FEC is the French tax office's file: choose the CSV journal for this site."), field="file_format")
    mapping = AccountingMapping.objects.filter(site=site).prefetch_related("sales_accounts").first()
    if mapping is None:
        raise InvalidInvoiceInput(
            _("This site has no accounting mapping yet: an administrator sets its journals and accounts (Administration)."), field="site"
        )
    export = AccountingExport(site=site, mapping=mapping, starts_on=starts_on, ends_on=ends_on, file_format=file_format)
    used = set(
        InvoiceLine.objects.filter(
            invoice__site=site, invoice__status=Invoice.Status.ISSUED, invoice__issued_on__range=(starts_on, ends_on)
        )
        .values_list("vat_rate", flat=True)
        .distinct()
    )
    missing = sorted(rate for rate in used if rate not in export.sales_accounts)
    if missing:
        raise InvalidInvoiceInput(
            _("No sales account for VAT at %(rate)s %%: add it to the site's accounting mapping.") % {"rate": _rate_text(missing[0])},
            field="site",
        )
    return export


def _fec_text(value: str) -> str:
    """A field on one line, without the separator, in ISO 8859-15 (accents dropped from what it lacks, else '?')."""
    text = " ".join(str(value).replace("\t", " ").split())
    out = []
    for char in text:
        try:
            char.encode(FEC_ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode(FEC_ENCODING, "ignore").decode(FEC_ENCODING)
            char = base or "?"
        out.append(char)
    return "".join(out)


def _fec_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _fec_fields(line: EntryLine) -> list[str]:
    day = f"{line.day:%Y%m%d}"
    return [
        line.journal,
        line.journal_label,
        str(line.number),
        day,
        line.account,
        line.account_label,
        line.aux,
        line.aux_label,
        line.piece,
        day,
        line.label,
        _fec_amount(line.debit),
        _fec_amount(line.credit),
        "",
        "",
        day,
        "",
        "",
    ]


def _fec_row(fields) -> bytes:
    return ("\t".join(_fec_text(field) for field in fields) + "\r\n").encode(FEC_ENCODING)


def _csv_fields(line: EntryLine, currency: str) -> list[str]:
    return [
        line.journal,
        line.journal_label,
        str(line.number),
        line.day.isoformat(),
        line.account,
        line.account_label,
        line.aux,
        line.aux_label,
        line.piece,
        line.label,
        f"{line.debit:.2f}",
        f"{line.credit:.2f}",
        currency,
    ]


def _csv_row(fields) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue().encode()

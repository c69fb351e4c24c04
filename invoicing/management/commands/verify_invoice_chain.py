"""Verify each site's chain of invoices, credit notes, payments and closures, or an exported archive.

    manage.py verify_invoice_chain                 every site
    manage.py verify_invoice_chain --site lyon     one site
    manage.py verify_invoice_chain --archive FILE  an archive written by export_invoice_archive
    manage.py verify_invoice_chain --site lyon --head 120:HASH
                                                   also: the head of the daily e-mail is still in the chain

Prints the first broken link and exits with status 1 when one is found.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Site
from invoicing.chain import verify_archive, verify_site_chain


class Command(BaseCommand):
    help = "Verify the invoice hash chain of each site (or of an archive) and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="site code (default: every site)")
        parser.add_argument("--archive", help="path of an archive zip to verify instead of the database")
        parser.add_argument(
            "--head", action="append", default=[], help="POSITION:HASH of a head e-mailed earlier: it must still be a link (with --site)"
        )

    def handle(self, *args, site=None, archive=None, head=(), **options):
        if head and not site:
            raise CommandError("--head needs --site: a head belongs to one site's chain")
        copies = [_head_copy(text) for text in head]
        if archive:
            path = Path(archive)
            if not path.is_file():
                raise CommandError(f"no such file: {archive}")
            results = [(path.name, *verify_archive(path.read_bytes()))]
        else:
            sites = Site.objects.order_by("code")
            if site:
                sites = sites.filter(code=site)
                if not sites.exists():
                    raise CommandError(f"no site with the code {site!r}")
            results = [(each.code, *verify_site_chain(each, copies=copies)) for each in sites]
        broken = False
        for name, checked, problem in results:
            if problem is None:
                self.stdout.write(self.style.SUCCESS(f"{name}: {checked} links, chain intact"))
            else:
                broken = True
                self.stdout.write(self.style.ERROR(f"{name}: BROKEN at {problem}"))
        if broken:
            raise CommandError("the invoice chain is broken", returncode=1)


def _head_copy(text: str) -> tuple[int, str]:
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise CommandError(f"--head {text!r}: expected POSITION:HASH (a number, a colon and the 64-character hash)")
    return int(position), digest.lower()

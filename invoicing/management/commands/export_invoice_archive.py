"""Write the archive of a closed period: ``manage.py export_invoice_archive CLOSURE_ID OUTPUT.zip``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invoicing.chain import build_archive
from invoicing.models import Closure


class Command(BaseCommand):
    help = "Export a closed period (invoices, payments, closures with their hashes, PDFs, manifest) to a zip."

    def add_arguments(self, parser):
        parser.add_argument("closure_id", type=int)
        parser.add_argument("output")

    def handle(self, *args, closure_id, output, **options):
        closure = Closure.objects.select_related("site").filter(pk=closure_id).first()
        if closure is None:
            raise CommandError(f"no closure {closure_id}")
        Path(output).write_bytes(build_archive(closure))
        self.stdout.write(self.style.SUCCESS(f"{closure}: archive written to {output}"))

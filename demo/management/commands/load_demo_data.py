from django.conf import settings
from django.core.management.base import BaseCommand

from aftersales.accounts.demo import DEMO_PASSWORD, demo_logins
from demo.loader import load_demo_data


class Command(BaseCommand):
    help = "Load the demo dealer group (sites, staff, customers, vehicles, catalogue). Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        report = load_demo_data()
        if report.created:
            for label, count in report.created.items():
                self.stdout.write(f"  created {count} {label}")
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD}) at {settings.SITE_URL}/"))
        for role, username in demo_logins():
            self.stdout.write(f"  {role:<22} {username}")
        self.stdout.write(
            "  Managers, cashiers and the administrator set up a two-factor authenticator app at their first login "
            "(a QR code to scan, then the 6-digit code)."
        )

"""Load test: advisors booking, advisors checking customers in, cashiers invoicing, all at once.

Run by ``make load`` (loopback only, bounded: 50 users, 2 minutes) against
gunicorn on PostgreSQL with the demo data and aftersales/tests/load/seed.py's
plan (LOAD_PLAN, JSON). Every answer of 500 or more counts as a failure; a
booking refused because another advisor took the slot first (400) is the
expected outcome of a race, reported under its own name.
"""

import itertools
import json
import os
import random
import re
import threading
from html.parser import HTMLParser

import pyotp
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
_lock = threading.Lock()
_cashiers = itertools.cycle([(cashier, site) for site in PLAN["sites"] for cashier in site["cashiers"]])
_advisors = itertools.cycle(PLAN["sites"])
SLOT = re.compile(r'name="slot"[^>]*value="(\d+@\d{8}T\d{4})"|value="(\d+@\d{8}T\d{4})"[^>]*name="slot"')

# The booking call standard (DOMAIN §1): the advisor did these and ticks them.
CALL_STANDARD = ("services_explained", "prices_given", "walk_around_offered")


def take(queue: list):
    with _lock:
        return queue.pop() if queue else None


class FormValues(HTMLParser):
    """What a browser would submit from the page's forms as they stand (first option of each select)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.choices: dict[str, list[str]] = {}  # every checkbox value offered, ticked or not
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                self.choices.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.values[name] = [attrs.get("value", "")]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and self._select not in self.values:
            self.values[self._select] = [attrs.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] = [data.strip()]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str) -> FormValues:
    parser = FormValues()
    parser.feed(html)
    return parser


class Staff(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def log_in(self, username: str, secret: str | None = None) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        self.client.post("/accounts/login/", {"username": username, "password": PLAN["password"],
                                              "csrfmiddlewaretoken": page.cookies.get("csrftoken") or self.csrf()},
                         name="login", headers={"Referer": self.host + "/accounts/login/"})
        if secret:
            self.client.post("/accounts/two-factor/verify/", {"code": pyotp.TOTP(secret).now(), "csrfmiddlewaretoken": self.csrf()},
                             name="two-factor code", headers={"Referer": self.host + "/accounts/two-factor/verify/"})

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, path: str, data: dict, name: str):
        return self.client.post(path, {**data, "csrfmiddlewaretoken": self.csrf()}, name=name,
                                headers={"Referer": self.host + path}, allow_redirects=False)


class Booking(Staff):
    """An advisor books a vehicle of their site on the first slot the desk proposes."""

    weight = 2

    def on_start(self):
        self.site = next(_advisors)
        self.log_in(self.site["advisor"])

    @task
    def book(self):
        vehicle = random.choice(self.site["to_book"])
        query = f"/appointments/desk/?vehicle={vehicle}&operations={PLAN['operation']}"
        page = self.client.get(query, name="booking desk")
        slots = [a or b for a, b in SLOT.findall(page.text)]
        if not slots:
            return
        form = form_values(page.text)
        data = form.values
        data.update({"vehicle": [str(vehicle)], "operations": [str(PLAN["operation"])], "slot": [random.choice(slots[4:12] or slots)],
                     "step": ["confirm"], "mobility_offered": form.choices.get("mobility_offered", [])[:2],
                     **dict.fromkeys(CALL_STANDARD, ["on"])})
        with self.client.post("/appointments/desk/", {**data, "csrfmiddlewaretoken": self.csrf()}, name="book",
                              headers={"Referer": self.host + query}, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code == 400:
                answer.success()  # refused: someone took the slot first, or a capacity limit; never a double booking


class CheckIn(Staff):
    """An advisor receives a customer booked for today and opens the work order."""

    def on_start(self):
        self.site = next(_advisors)
        self.log_in(self.site["advisor"])

    @task
    def check_in(self):
        appointment = take(self.site["to_check_in"])
        if appointment is None:
            self.client.get("/workshop/reception/", name="reception board")
            return
        self.post(f"/workshop/reception/appointments/{appointment}/arrived/", {}, name="arrived")
        self.post(f"/workshop/reception/appointments/{appointment}/check-in/", {}, name="check in")


class Invoicing(Staff):
    """A cashier prepares the invoice of an order ready for invoicing and issues it."""

    def on_start(self):
        cashier, self.site = next(_cashiers)
        self.log_in(cashier["username"], cashier["secret"])

    @task
    def invoice(self):
        order = take(self.site["to_invoice"])
        if order is None:
            self.client.get("/invoicing/", name="invoicing desk")
            return
        prepared = self.post(f"/invoicing/orders/{order}/prepare/", {}, name="prepare invoice")
        location = prepared.headers.get("Location", "")
        if "/invoices/" in location:
            self.post(location.rstrip("/") + "/issue/", {"delivery": "paper"}, name="issue invoice")

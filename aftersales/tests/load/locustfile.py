"""Load test: advisors booking, advisors checking customers in, cashiers invoicing, all at once.

Run by ``make load`` (loopback only, bounded: 50 users, 2 minutes) against
gunicorn on PostgreSQL with the demo data and aftersales/tests/load/seed.py's
plan (LOAD_PLAN, JSON). Every answer of 400 or more counts as a failure, with
one exception: a booking refused because another advisor took the slot (or
the last workshop hours) between the proposal and the confirmation is the
expected outcome of a race; it is reported under its own name and the advisor
confirms again on a proposal of the refreshed page.
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
PROPOSAL = re.compile(r'id="proposal-\d+" value="(\d+@\d{8}T\d{4})"')
ERROR_FIELD = re.compile(r'data-field="(\w+)"')
SLOT_FIELDS = {"slot", "override_reason"}  # slot taken, or capacity used up, since the proposal was made
RACE_FIELDS = SLOT_FIELDS | {"second_booking"}  # or the vehicle booked by another advisor since the desk opened
ATTEMPTS = 4

# The booking call standard (DOMAIN §1): the advisor did these and ticks them.
CALL_STANDARD = ("services_explained", "prices_given", "walk_around_offered")


def take(queue: list):
    with _lock:
        return queue.pop() if queue else None


class FormValues(HTMLParser):
    """What a browser would submit from one form of the page as it stands (first option of each select)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.values: dict[str, list[str]] = {}
        self.choices: dict[str, list[str]] = {}  # every checkbox value offered, ticked or not
        self._inside = False
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == self.form_id
        if not self._inside:
            return
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
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, form_id: str) -> FormValues:
    parser = FormValues(form_id)
    parser.feed(html)
    return parser


class Staff(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def log_in(self, username: str, secret: str | None = None) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": page.cookies.get("csrftoken") or self.csrf()},
            name="login",
            headers={"Referer": self.host + "/accounts/login/"},
        )
        if secret:
            self.client.post(
                "/accounts/two-factor/verify/",
                {"code": pyotp.TOTP(secret).now(), "csrfmiddlewaretoken": self.csrf()},
                name="two-factor code",
                headers={"Referer": self.host + "/accounts/two-factor/verify/"},
            )

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, path: str, data: dict, name: str):
        return self.client.post(
            path, {**data, "csrfmiddlewaretoken": self.csrf()}, name=name, headers={"Referer": self.host + path}, allow_redirects=False
        )


class Booking(Staff):
    """An advisor books a vehicle of their site as the desk is used: the job ticked and two mobility options
    offered, the proposals that brings, one of them restated to the customer, then confirmed."""

    weight = 2

    def on_start(self):
        self.site = next(_advisors)
        self.log_in(self.site["advisor"])

    @task
    def book(self):
        vehicle = random.choice(self.site["to_book"])
        page = self.client.get(f"/appointments/desk/?vehicle={vehicle}", name="booking desk")
        form = form_values(page.text, "booking-form")
        data = {
            **form.values,
            "operations": [str(PLAN["operation"])],
            "mobility_offered": form.choices["mobility_offered"][:2],
            **dict.fromkeys(CALL_STANDARD, ["on"]),
        }
        if "second_booking" in form.choices:  # booked already: the desk asks whether the customer wants another one
            data["second_booking"] = ["on"]
        data.pop("csrfmiddlewaretoken", None)
        live = self.client.get("/appointments/desk/live/", params=data, name="booking proposals")
        proposals = PROPOSAL.findall(live.text)
        if not proposals:
            return
        data["slot"] = [random.choice(proposals)]
        for step, name in (("review", "booking review"), ("confirm", "book")):
            if not self.desk_step(data, step, name):
                return

    def desk_step(self, data: dict, step: str, name: str) -> bool:
        """Send one step of the desk. When another advisor got there first (the slot taken, the capacity used up,
        the vehicle booked meanwhile), do as the advisor does: take a proposal of the refreshed page, confirm the
        customer wants the second booking, and send again. A day left with no slot ends the call."""
        for _attempt in range(ATTEMPTS):
            with self.client.post(
                "/appointments/desk/",
                {**data, "step": step, "csrfmiddlewaretoken": self.csrf()},
                name=name,
                headers={"Referer": self.host + "/appointments/desk/"},
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                if answer.status_code != 400:
                    return True
                fields = set(ERROR_FIELD.findall(answer.text))
                proposals = PROPOSAL.findall(answer.text)
                if not fields or fields - RACE_FIELDS:
                    answer.failure(f"booking refused on {sorted(fields) or 'the whole form'}")
                    return False
                answer.success()
                if fields & SLOT_FIELDS and not proposals:
                    answer.request_meta["name"] = f"{name}: no slot left"
                    return False
                answer.request_meta["name"] = f"{name}: taken first, sent again"
            if fields & SLOT_FIELDS:
                data["slot"] = [random.choice(proposals)]
            if "second_booking" in fields:
                data["second_booking"] = ["on"]
        return False


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

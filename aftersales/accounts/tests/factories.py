from datetime import time
from decimal import Decimal

import factory
import pyotp
from django.contrib.auth.models import Group
from django.utils import timezone

from aftersales.accounts.models import Brand, DealerGroup, OpeningHours, Site, SiteBrand, TwoFactorDevice, User


class DealerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealerGroup
        django_get_or_create = ["name"]

    name = "Groupe Test"


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ["code"]

    code = "audi"
    name = factory.LazyAttribute(lambda o: o.code.capitalize())


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    group = factory.SubFactory(DealerGroupFactory)
    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Audi Lyon {n}")
    legal_name = "Test Automobiles SAS"
    vat_number = "FR40123456789"
    address = "12 avenue Jean Jaurès"
    postcode = "69007"
    city = "Lyon"
    country = "FR"
    time_zone = "Europe/Paris"
    language = "fr"
    currency = "EUR"
    vat_rate = Decimal("20.00")
    labour_rate = Decimal("98.00")
    phone = "+33478000000"
    email = "service@example.test"
    invoice_prefix = factory.Sequence(lambda n: f"T{n}")

    @factory.post_generation
    def weekday_hours(site, create, extracted, **kwargs):
        if not create:
            return
        for weekday in range(5):
            OpeningHours.objects.create(site=site, weekday=weekday, opens=time(8), closes=time(18))
        OpeningHours.objects.create(site=site, weekday=5, opens=time(8), closes=time(12))
        brand = BrandFactory()
        SiteBrand.objects.create(site=site, brand=brand, greeting=f"{brand.name} {site.city}, {{agent}}, bonjour")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Julie"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-123")

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        for role in extracted or []:
            user.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def site_list(user, create, extracted, **kwargs):
        for site in extracted or []:
            user.sites.add(site)
        user.save()


def enrol_two_factor(user: User) -> TwoFactorDevice:
    """A confirmed authenticator for the user (as if enrolled earlier)."""
    device, _created = TwoFactorDevice.objects.get_or_create(
        user=user,
        defaults={"secret": pyotp.random_base32(), "confirmed_at": timezone.now()},
    )
    return device


def next_totp_code(device: TwoFactorDevice) -> str:
    """The code the authenticator shows now, or the next one if this one was used already."""
    device.refresh_from_db()
    totp = pyotp.TOTP(device.secret)
    step = totp.timecode(timezone.now())
    if device.last_used_step is not None and step <= device.last_used_step:
        step = device.last_used_step + 1
    return totp.generate_otp(step)


def sell_lexus_and_toyota(site: Site) -> tuple[Brand, Brand]:
    """The site sells Lexus on its own line and Toyota with its own contact point (name, phone, e-mail), as in Marseille."""
    site.brand_contacts.all().delete()
    lexus, toyota = BrandFactory(code="lexus"), BrandFactory(code="toyota")
    SiteBrand.objects.create(site=site, brand=lexus, greeting="Lexus Marseille, {agent}, bonjour")
    SiteBrand.objects.create(
        site=site,
        brand=toyota,
        public_name="Toyota Marseille",
        phone="+33491290200",
        email="toyota.marseille@example.test",
        greeting="Toyota Marseille, {agent}, bonjour",
    )
    return lexus, toyota

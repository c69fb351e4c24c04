"""The contact point of a brand at a site, and the site's own where the brand has none."""

import pytest

from aftersales.accounts.contact_points import brand_of, contact_point_for, contact_point_for_vehicle
from aftersales.accounts.tests.factories import BrandFactory, SiteFactory, sell_lexus_and_toyota
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marseille():
    """Lexus Marseille: Lexus answers on the site's own line, Toyota on its own, under its own name."""
    site = SiteFactory(name="Lexus Marseille", city="Marseille", phone="+33491290000", email="apres-vente@example.test")
    sell_lexus_and_toyota(site)
    return site


def test_a_brand_with_its_own_contact_point_speaks_with_it(marseille):
    toyota = BrandFactory(code="toyota")
    point = contact_point_for(marseille, toyota)
    assert (point.name, point.phone, point.email, point.brand) == (
        "Toyota Marseille",
        "+33491290200",
        "toyota.marseille@example.test",
        toyota,
    )
    assert str(point) == "Toyota Marseille"


def test_each_part_a_brand_leaves_empty_is_the_sites_own(marseille):
    point = contact_point_for(marseille, BrandFactory(code="lexus"))
    assert (point.name, point.phone, point.email) == ("Lexus Marseille", "+33491290000", "apres-vente@example.test")
    assert point.brand.code == "lexus"


def test_no_brand_or_a_brand_the_site_does_not_sell_gives_the_site(marseille):
    for brand in (None, BrandFactory(code="audi")):
        point = contact_point_for(marseille, brand)
        assert (point.name, point.phone, point.email, point.brand) == ("Lexus Marseille", "+33491290000", "apres-vente@example.test", None)


def test_the_contact_point_reads_like_the_site_for_everything_else(marseille):
    point = contact_point_for(marseille, BrandFactory(code="toyota"))
    assert (point.address, point.city, point.code, point.tz) == (marseille.address, "Marseille", marseille.code, marseille.tz)
    with pytest.raises(AttributeError):
        _ = point.no_such_field


def test_the_vehicle_is_handled_under_its_make_whatever_its_case(marseille):
    owner = CustomerFactory(site=marseille)
    yaris = VehicleFactory(owner=owner, make="TOYOTA", model="Yaris Cross")
    clio = VehicleFactory(owner=owner, make="Renault", model="Clio")
    assert brand_of(marseille, yaris).code == "toyota"
    assert brand_of(marseille, clio) is None
    assert brand_of(marseille, None) is None
    assert contact_point_for_vehicle(marseille, yaris).name == "Toyota Marseille"
    assert contact_point_for_vehicle(marseille, clio).name == "Lexus Marseille"


def test_a_brand_sold_at_another_site_only_does_not_lend_its_contact_point(marseille):
    lyon = SiteFactory(name="Audi Lyon")
    point = contact_point_for(lyon, BrandFactory(code="toyota"))
    assert (point.name, point.brand) == ("Audi Lyon", None)

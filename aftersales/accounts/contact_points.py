"""The contact point a customer sees: the site as one of its brands presents itself.

A site may sell several brands, each with its own line, e-mail address and
name (Lexus and Toyota at the Marseille site). Every message, page and
document about a vehicle speaks with the contact point of the vehicle's brand
at that site; each part the brand leaves empty (or a brand with no contact
point there) falls back to the site's own.

``contact_point_for(site, brand)`` is the one entry; ``brand_of(site, vehicle)``
is the brand a vehicle is handled under at a site (its make, among the brands
the site sells).
"""

from dataclasses import dataclass

from .models import Brand, Site, SiteBrand


@dataclass(frozen=True)
class ContactPoint:
    """Name, phone and e-mail for one brand at one site; reads like the site for everything else.

    A message template written with ``site.name`` or ``site.phone`` gets the
    brand's, while ``site.address`` or ``site.tz`` still come from the site.
    """

    site: Site
    brand: Brand | None
    name: str
    phone: str
    email: str

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "site":  # not yet set (a copy being made): no delegation loop
            raise AttributeError(name)
        return getattr(self.site, name)

    def __str__(self) -> str:
        return self.name


def _point(site: Site, contact: SiteBrand | None) -> ContactPoint:
    return ContactPoint(
        site=site,
        brand=contact.brand if contact else None,
        name=(contact.public_name if contact else "") or site.name,
        phone=(contact.phone if contact else "") or site.phone,
        email=(contact.email if contact else "") or site.email,
    )


def _contact_for_make(site: Site, vehicle) -> SiteBrand | None:
    if vehicle is None or not vehicle.make:
        return None
    return site.brand_contacts.select_related("brand").filter(brand__name__iexact=vehicle.make).first()


def contact_point_for(site: Site, brand: Brand | None) -> ContactPoint:
    """The brand's contact point at the site, each empty part filled with the site's own."""
    contact = site.brand_contacts.select_related("brand").filter(brand=brand).first() if brand is not None else None
    return _point(site, contact)


def brand_of(site: Site, vehicle) -> Brand | None:
    """The brand the site sells the vehicle under (its make), or None for a make the site does not sell."""
    contact = _contact_for_make(site, vehicle)
    return contact.brand if contact else None


def contact_point_for_vehicle(site: Site, vehicle) -> ContactPoint:
    """The contact point of the vehicle's brand at the site (the site's own for a make it does not sell)."""
    return _point(site, _contact_for_make(site, vehicle))

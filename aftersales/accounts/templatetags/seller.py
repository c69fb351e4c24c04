from django import template

from aftersales.accounts.legal_identity import LegalIdentity, seller_mentions

register = template.Library()


@register.inclusion_tag("shared/seller_identity.html")
def seller_identity(site) -> dict:
    """{% seller_identity site %}: the seller's legal identity as the site's country asks, on every customer document."""
    return {"mentions": seller_mentions(site, LegalIdentity.objects.filter(site=site).first())}

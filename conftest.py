"""Personas and shared fixtures for the whole suite."""

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import SiteFactory, UserFactory


@pytest.fixture
def site(db):
    return SiteFactory(name="Audi Lyon", city="Lyon")


@pytest.fixture
def other_site(db, site):
    return SiteFactory(name="Lexus Marseille", city="Marseille", group=site.group)


def _persona(role, site, **extra):
    return UserFactory(roles=[role], site_list=[site], **extra)


@pytest.fixture
def crc_agent(site):
    return _persona(Role.CRC_AGENT, site, username="crc")


@pytest.fixture
def advisor(site):
    return _persona(Role.SERVICE_ADVISOR, site, username="advisor")


@pytest.fixture
def foreman(site):
    return _persona(Role.FOREMAN, site, username="foreman")


@pytest.fixture
def technician(site):
    return _persona(Role.TECHNICIAN, site, username="technician")


@pytest.fixture
def cashier(site):
    return _persona(Role.CASHIER, site, username="cashier")


@pytest.fixture
def manager(site):
    return _persona(Role.MANAGER, site, username="manager")


@pytest.fixture
def other_site_advisor(other_site):
    return _persona(Role.SERVICE_ADVISOR, other_site, username="other-advisor")

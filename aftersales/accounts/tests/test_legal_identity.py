"""The seller's legal identity of a site: each number checked as its registry computes it, what the country requires
asked for, and the lines the customer documents print, in the reader's language."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.legal_identity import LegalIdentity, seller_mentions
from aftersales.accounts.tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

FRANCE = {"legal_form": "SAS", "share_capital": Decimal("500000"), "siren": "412345670", "siret": "41234567000019", "rcs_city": "Lyon"}
RUSSIA = {
    "inn": "7714123459",
    "kpp": "771401001",
    "ogrn": "1027700132195",
    "bank_name": "АО «Банк Горизонт»",
    "bank_account": "40702810600000012345",
    "bank_code": "044525999",
    "correspondent_account": "30101810600000000999",
}


@pytest.fixture
def lyon(db):
    return SiteFactory(vat_number="FR96412345670")


@pytest.fixture
def moscow(db):
    return SiteFactory(country="RU", currency="RUB", language="ru", time_zone="Europe/Moscow", vat_number="7714123459")


def _errors(site, **fields) -> dict:
    with pytest.raises(ValidationError) as refused:
        LegalIdentity(site=site, **fields).full_clean()
    return refused.value.message_dict


def test_a_french_identity_is_checked_against_its_siren_and_vat_number(lyon):
    LegalIdentity(site=lyon, **FRANCE).full_clean()

    assert "check digit" in _errors(lyon, **{**FRANCE, "siren": "412345678"})["siren"][0]
    assert _errors(lyon, **{**FRANCE, "siret": "52345678800018"})["siret"] == ["A SIRET starts with its company's SIREN (412345670)."]
    assert _errors(lyon, **{**FRANCE, "siren": "523456788", "siret": ""})["siren"] == [
        "This VAT number belongs to SIREN 412345670, not 523456788."
    ]
    assert set(_errors(lyon, legal_form="SAS")) == {"share_capital", "siren", "rcs_city"}


def test_a_russian_identity_is_checked_down_to_the_bank_accounts_control_key(moscow):
    LegalIdentity(site=moscow, **RUSSIA).full_clean()

    assert "INN" in _errors(moscow, **{**RUSSIA, "inn": "7714123456"})["inn"][0]
    assert "OGRN" in _errors(moscow, **{**RUSSIA, "ogrn": "1027700132192"})["ogrn"][0]
    assert _errors(moscow, **{**RUSSIA, "kpp": "77140100"})["kpp"] == ["A KPP is 9 characters: 4 digits, 2 digits or letters, 3 digits."]
    assert _errors(moscow, **{**RUSSIA, "bank_account": "40702810700000012345"})["bank_account"] == [
        "This account's control key does not match the bank's BIK 044525999."
    ]
    assert "301" in _errors(moscow, **{**RUSSIA, "correspondent_account": "40101810600000000999"})["correspondent_account"][0]
    assert set(_errors(moscow, inn=RUSSIA["inn"])) == {"kpp", "ogrn", "bank_name", "bank_account", "bank_code", "correspondent_account"}


def test_a_chinese_identity_needs_its_unified_social_credit_code(db):
    beijing = SiteFactory(country="CN", currency="CNY", language="zh-hans", time_zone="Asia/Shanghai", vat_number="")

    LegalIdentity(site=beijing, uscc="91310000MA1FL0000N").full_clean()
    assert "check character" in _errors(beijing, uscc="91310000MA1FL0000A")["uscc"][0]
    with translation.override("zh-hans"):
        assert seller_mentions(beijing, LegalIdentity(site=beijing, uscc="91310000MA1FL0000N")) == ["统一社会信用代码：91310000MA1FL0000N"]


def test_the_documents_print_the_identity_in_the_readers_language(lyon, moscow):
    with translation.override("fr"):
        assert seller_mentions(lyon, LegalIdentity(site=lyon, **FRANCE)) == [
            "SAS au capital de 500\u202f000,00\xa0€",
            "RCS Lyon 412 345 670",
            "SIRET : 412 345 670 00019",
            "Numéro de TVA intracommunautaire : FR96412345670",
        ]
    with translation.override("ru"):
        assert seller_mentions(moscow, LegalIdentity(site=moscow, **RUSSIA)) == [
            "ИНН / КПП: 7714123459 / 771401001",
            "ОГРН: 1027700132195",
            "Р/с: 40702810600000012345",
            "Банк: АО «Банк Горизонт»",
            "БИК: 044525999",
            "К/с: 30101810600000000999",
        ]
    assert seller_mentions(lyon, None) == ["VAT number: FR96412345670"]


def test_the_site_admin_edits_the_identity_inline(client, lyon):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, site_list=[lyon]))

    page = client.get(reverse("admin:accounts_site_change", args=[lyon.pk])).text

    assert 'name="legal_identity-0-siren"' in page and 'name="legal_identity-0-correspondent_account"' in page

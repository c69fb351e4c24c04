import pytest
from django.urls import reverse

from aftersales.customers.selectors import search_customers

from .factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def helene(site):
    customer = CustomerFactory(site=site, first_name="Hélène", last_name="Lefèvre", mobile="+33612345678", email="h.lefevre@example.test")
    VehicleFactory(owner=customer, plate="AB-123-CD", vin="WAUZZZ8V5KA654321")
    return customer


def found(user, query):
    return search_customers(user=user, query=query).customers


@pytest.mark.parametrize("query", ["helene", "HÉLÈNE", "lefevre", "Lefèvre Hélène", "hélène lefevre", "h.lefevre@example"])
def test_name_and_email_are_found_whatever_the_accents_and_case(advisor, helene, query):
    assert found(advisor, query) == [helene]


@pytest.mark.parametrize("query", ["06 12 34", "+33 6 12", "0612345678", "+33612345678", "33.6.12.34.56.78"])
def test_phone_is_found_in_any_format(advisor, helene, query):
    assert found(advisor, query) == [helene]


@pytest.mark.parametrize("query", ["AB-12", "ab123", "AB 123 CD", "b-123-c"])
def test_plate_is_found_from_a_part_with_or_without_dashes(advisor, helene, query):
    assert found(advisor, query) == [helene]


@pytest.mark.parametrize("query", ["A123BC", "а123вс77", "А123ВС"])
def test_a_russian_plate_is_found_typed_in_latin_or_cyrillic_letters(advisor, site, query):
    owner = CustomerFactory(site=site, last_name="Ivanov")
    VehicleFactory(owner=owner, plate="А123ВС77")

    assert found(advisor, query) == [owner]


@pytest.mark.parametrize("query", ["5KA654", "wauzzz8v5ka654321"])
def test_vin_is_found_from_a_part(advisor, helene, query):
    assert found(advisor, query) == [helene]


def test_other_sites_customers_are_never_found(other_site_advisor, helene):
    for query in ["helene", "06 12 34", "AB-12", "5KA654", "h.lefevre"]:
        assert found(other_site_advisor, query) == []


def test_a_plate_does_not_bring_customers_whose_phone_holds_its_digits(advisor, helene, site):
    CustomerFactory(site=site, mobile="+33698123456")

    assert found(advisor, "AB-123-CD") == [helene]


def test_exact_plate_match_comes_first(advisor, site):
    partial = CustomerFactory(site=site, last_name="Aaron")
    VehicleFactory(owner=partial, plate="AB-123-CDE")
    exact = CustomerFactory(site=site, last_name="Zola")
    VehicleFactory(owner=exact, plate="AB-123-CD")

    assert found(advisor, "AB123CD") == [exact, partial]


def test_results_are_capped_at_fifty_and_say_so(advisor, site):
    CustomerFactory.create_batch(52, site=site, last_name="Martin")

    result = search_customers(user=advisor, query="martin")

    assert len(result.customers) == 50 and result.truncated


def test_a_one_character_query_is_not_run(advisor, helene, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = search_customers(user=advisor, query=" h ")

    assert result.too_short and result.customers == []


@pytest.mark.parametrize("size", [3, 60])
def test_search_page_query_count_does_not_grow_with_the_customers(client, advisor, site, size, django_assert_max_num_queries):
    for index in range(size):
        customer = CustomerFactory(site=site, last_name=f"Bernard{index}", mobile=f"+336123{index:05d}")
        VehicleFactory.create_batch(2, owner=customer)
    client.force_login(advisor)

    # session, user, savepoint pair, permissions x2, then the search: 4 queries whatever the size
    with django_assert_max_num_queries(10):
        response = client.get(reverse("customers:search"), {"q": "bernard"})

    assert response.status_code == 200
    assert len(response.context["search"].customers) == min(size, 50)


def test_search_page_lists_the_hits_and_htmx_gets_only_the_results(client, advisor, helene):
    client.force_login(advisor)

    page = client.get(reverse("customers:search"), {"q": "helene"})
    partial = client.get(reverse("customers:search"), {"q": "helene"}, headers={"HX-Request": "true"})

    assert helene.get_absolute_url() in page.content.decode() and "<html" in page.content.decode()
    assert helene.get_absolute_url() in partial.content.decode() and "<html" not in partial.content.decode()


@pytest.mark.parametrize("query", ["h", "x" * 5000, "%", "_", "\x00abc", "'; drop table customers_customer; --"])
def test_odd_queries_answer_politely(client, advisor, helene, query):
    client.force_login(advisor)

    response = client.get(reverse("customers:search"), {"q": query})

    assert response.status_code == 200
    assert helene.get_absolute_url() not in response.content.decode()


def test_two_letters_find_names_starting_with_them(advisor, site):
    li = CustomerFactory(site=site, last_name="Li", first_name="Wei")
    CustomerFactory(site=site, last_name="Moline")

    assert found(advisor, "Li") == [li]
    assert found(advisor, "li wei") == [li]


def test_a_query_that_folds_to_nothing_finds_nothing(advisor, helene):
    assert found(advisor, "\u0301\u0301\u0301") == []

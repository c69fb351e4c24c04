"""A walk-in found by plate: the advisor looks the vehicle up, its VIN fills the form; a plate alone opens the order."""

from django.urls import reverse

from aftersales.customers.models import Vehicle
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.models import WorkOrder


def test_looking_up_a_plate_fills_in_the_vin_and_keeps_what_was_typed(client, advisor, vehicle, clock):
    Vehicle.objects.filter(pk=vehicle.pk).update(plate="FG-123-HJ", plate_key="FG123HJ")  # as the customers' services file it
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"plate": "fg 123 hj", "customer_words": "Noise at the front", "lookup": "1"})
    assert response.status_code == 200 and 'id="plate-lookup"' in response.text
    assert f'value="{vehicle.vin}"' in response.text and "Noise at the front" in response.text
    assert not WorkOrder.objects.exists()


def test_a_plate_not_on_file_says_so(client, advisor, site, clock):
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"plate": "ZZ-999-ZZ", "lookup": "1"})
    assert "alert-warning" in response.text and "No vehicle with this plate is on file here" in response.text


def test_a_walk_in_by_plate_alone_opens_the_order_of_the_vehicle_on_file(client, advisor, vehicle, customer, clock, templates):
    Vehicle.objects.filter(pk=vehicle.pk).update(plate="FG-123-HJ", plate_key="FG123HJ")  # as the customers' services file it
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"plate": "FG123HJ", "customer_words": "Tyres"})
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and (order.vehicle, order.customer) == (vehicle, customer)


def test_a_plate_of_another_sites_customer_is_not_taken(client, advisor, site, clock, templates):
    from aftersales.accounts.tests.factories import SiteFactory

    stranger = CustomerFactory(site=SiteFactory())
    VehicleFactory(owner=stranger, plate="AB-111-CD", plate_key="AB111CD")
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"plate": "AB-111-CD", "customer_words": "Tyres"})
    assert response.status_code == 400 and "No vehicle with this plate is on file here: type the VIN." in response.text
    assert not WorkOrder.objects.exists()


def test_neither_vin_nor_plate_is_refused_on_the_vin(client, advisor, site, clock):
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"customer_words": "Tyres"})
    assert response.status_code == 400 and "Type the VIN, or the plate of a vehicle on file." in response.text

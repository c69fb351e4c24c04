import re
from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.customers.models import MileageReading
from aftersales.messaging import gateways
from appointments.models import Appointment, AppointmentEvent
from appointments.tests.factories import CustomerFactory, LoanerFactory, MobilityServiceFactory, VehicleFactory
from workshop.exceptions import InvalidCheckIn, OrderChangedSinceShown, OrderSigned, PhotoRefused, SignatureRefused, TransitionNotAllowed
from workshop.models import Approval, DamageMark, LoanerHandover, Signature, WorkOrder, WorkOrderEvent
from workshop.services import (
    MAX_PHOTO_BYTES,
    STEP_KEYS,
    STEP_SERVICES,
    STEPS,
    add_job,
    add_part,
    add_photo,
    change_job,
    hand_to_workshop,
    open_walk_in,
    open_work_order,
    remove_job,
    request_code_signature,
    save_agreement_step,
    save_estimate_step,
    save_greet_step,
    save_mobility_step,
    save_prepare_step,
    save_walk_around_step,
    sign_by_code,
    sign_on_tablet,
    take_number,
)
from workshop.signed_content import content_hash

from .helpers import fill_check_in, image_bytes, photo_upload, signature_data_url, step_data

Status = WorkOrder.Status


@pytest.fixture
def signed(checked_in, advisor):
    sign_on_tablet(work_order=checked_in, image_data_url=signature_data_url(), shown_hash=content_hash(checked_in), actor=advisor)
    checked_in.refresh_from_db()
    return checked_in


# --- numbering --------------------------------------------------------------------


def test_numbers_follow_each_other_per_site_and_year(site, other_site, db):
    assert take_number(site=site, year=2026) == (1, f"{site.code.upper()}-2026-00001")
    assert take_number(site=site, year=2026)[0] == 2
    assert take_number(site=other_site, year=2026)[0] == 1
    assert take_number(site=site, year=2027)[0] == 1


def test_the_order_takes_the_next_number_of_its_site(appointment, advisor, customer, vehicle, site):
    first = open_work_order(appointment=appointment, actor=advisor)
    second = open_walk_in(site=site, customer=customer, vehicle=vehicle, actor=advisor)

    assert (first.sequence, second.sequence) == (1, 2)
    assert second.number.endswith("-2026-00002")


# --- opening ----------------------------------------------------------------------


def test_check_in_carries_the_booked_jobs_and_kit_and_prices_them_with_vat(order, appointment):
    job = order.jobs.get()
    assert (job.concern, job.flat_rate_hours, job.labour_price) == ("Annual service", Decimal("1.50"), Decimal("147.00"))
    assert job.from_appointment
    assert [(p.part.number, p.quantity, p.unit_price) for p in order.parts.all()] == [("OIL-FILTER", Decimal("1.00"), Decimal("12.50"))]
    assert (order.labour_total, order.parts_total, order.net_total) == (Decimal("147.00"), Decimal("12.50"), Decimal("159.50"))
    assert (order.vat_total, order.gross_total) == (Decimal("31.90"), Decimal("191.40"))
    assert order.customer_words == "Squeak when braking"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ARRIVED
    assert AppointmentEvent.objects.filter(appointment=appointment, to_status="arrived").exists()


def test_checking_in_twice_returns_the_same_order(order, appointment, advisor):
    assert open_work_order(appointment=appointment, actor=advisor) == order
    assert WorkOrder.objects.count() == 1


def test_check_in_for_another_sites_appointment_is_refused(appointment, other_site_advisor):
    with pytest.raises(InvalidCheckIn) as refused:
        open_work_order(appointment=appointment, actor=other_site_advisor)
    assert refused.value.field == "appointment"
    assert not WorkOrder.objects.exists()


def test_a_cancelled_appointment_cannot_be_checked_in(appointment, advisor):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    with pytest.raises(InvalidCheckIn, match="cannot be checked in"):
        open_work_order(appointment=appointment, actor=advisor)


def test_opening_is_recorded_with_who_and_when(order, advisor, clock):
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", Status.DRAFT, advisor)


def test_a_walk_in_of_a_customer_filed_elsewhere_is_refused(site, other_site, advisor, clock, templates):
    stranger = CustomerFactory(site=other_site)
    with pytest.raises(InvalidCheckIn) as refused:
        open_walk_in(site=site, customer=stranger, vehicle=VehicleFactory(owner=stranger), actor=advisor)
    assert refused.value.field == "customer"


# --- steps ------------------------------------------------------------------------


def test_going_back_to_a_step_keeps_the_other_steps(order, advisor):
    save_prepare_step(work_order=order, actor=advisor, **step_data("prepare"))
    save_greet_step(work_order=order, actor=advisor, **step_data("greet"))

    covers = {"cover_seat": True, "cover_steering_wheel": False, "cover_floor_mat": True}
    save_prepare_step(work_order=order, actor=advisor, **covers)

    order.refresh_from_db()
    assert (order.cover_steering_wheel, order.requested_work_confirmed, order.check_in_step) == (False, True, 2)


def test_the_last_step_checks_the_order_in(checked_in, advisor):
    assert checked_in.status == Status.CHECKED_IN
    assert list(checked_in.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "checked_in")]
    assert checked_in.contact_phone == "+33612345678"
    assert checked_in.damage_marks.get().view == "left"


def test_a_lower_mileage_without_a_reason_is_refused_and_nothing_is_saved(order, advisor, vehicle):
    data = {**step_data("walk_around"), "mileage_in": 41_000}
    with pytest.raises(InvalidCheckIn) as refused:
        save_walk_around_step(work_order=order, actor=advisor, **data)

    assert refused.value.field == "correction_reason"
    assert "42" in str(refused.value.message)
    order.refresh_from_db()
    assert order.mileage_in is None and not order.damage_marks.exists()
    assert vehicle.mileage_readings.count() == 1


def test_a_lower_mileage_with_a_reason_is_recorded_as_a_correction(order, advisor, vehicle):
    data = {**step_data("walk_around"), "mileage_in": 41_000, "correction_reason": "Dashboard replaced"}
    save_walk_around_step(work_order=order, actor=advisor, **data)

    reading = vehicle.mileage_readings.first()
    assert (reading.km, reading.source, reading.correction_reason) == (41_000, MileageReading.Source.RECEPTION, "Dashboard replaced")


def test_saving_the_walk_around_again_records_the_mileage_once(order, advisor, vehicle):
    save_walk_around_step(work_order=order, actor=advisor, **step_data("walk_around"))
    save_walk_around_step(work_order=order, actor=advisor, **step_data("walk_around"))
    assert vehicle.mileage_readings.count() == 2


def test_saving_the_walk_around_without_marks_keeps_the_marks_placed(order, advisor):
    save_walk_around_step(work_order=order, actor=advisor, **step_data("walk_around"))
    data = {key: value for key, value in step_data("walk_around").items() if key != "marks"}
    save_walk_around_step(work_order=order, actor=advisor, **data)
    assert order.damage_marks.count() == 1


@pytest.mark.parametrize(
    "mark",
    [
        {"view": "roof", "x": 0.5, "y": 0.5, "kind": "dent"},
        {"view": "top", "x": 1.5, "y": 0.5, "kind": "dent"},
        {"view": "top", "x": 0.5, "y": 0.5, "kind": "burn"},
        {"view": "top", "x": "a", "y": 0.5, "kind": "dent"},
        {"view": "top", "kind": "dent"},
    ],
)
def test_a_damage_mark_outside_the_diagram_or_of_unknown_type_is_refused(order, advisor, mark):
    with pytest.raises(InvalidCheckIn) as refused:
        save_walk_around_step(work_order=order, actor=advisor, **{**step_data("walk_around"), "marks": [mark]})
    assert refused.value.field == "marks"
    assert not DamageMark.objects.exists()


def test_a_contact_phone_is_kept_in_e164_and_a_bad_one_is_refused(order, advisor):
    with pytest.raises(InvalidCheckIn) as refused:
        save_agreement_step(work_order=order, actor=advisor, **{**step_data("agreement"), "contact_phone": "12"})
    assert refused.value.field == "contact_phone"


def test_a_promised_time_in_the_past_is_refused(order, advisor, clock):
    with pytest.raises(InvalidCheckIn) as refused:
        save_estimate_step(work_order=order, actor=advisor, promised_at=order.created_at - timedelta(hours=1))
    assert refused.value.field == "promised_at"


def test_each_check_in_step_but_the_signature_is_saved_by_its_own_service():
    assert list(STEP_SERVICES) == [step.key for step in STEPS if step.fields] == STEP_KEYS[:-1]


def test_a_loaner_handed_over_keeps_its_fuel_and_mileage_out(order, advisor, site):
    loaner = LoanerFactory(site=site)
    data = {"departure": "loaner", "mobility": None, "loaner": loaner, "loaner_fuel_out": 8, "loaner_mileage_out": 12_345}
    save_mobility_step(work_order=order, actor=advisor, **data)

    handover = LoanerHandover.objects.get()
    assert (handover.loaner, handover.fuel_out, handover.mileage_out, handover.handed_over_by) == (loaner, 8, 12_345, advisor)


def test_a_loaner_without_its_mileage_out_is_refused(order, advisor, site):
    data = {"departure": "loaner", "mobility": None, "loaner": LoanerFactory(site=site), "loaner_fuel_out": 8, "loaner_mileage_out": None}
    with pytest.raises(InvalidCheckIn) as refused:
        save_mobility_step(work_order=order, actor=advisor, **data)
    assert refused.value.field == "loaner_mileage_out"


def test_another_sites_mobility_service_is_refused(order, advisor, other_site):
    data = {"departure": "mobility", "mobility": MobilityServiceFactory(site=other_site)}
    with pytest.raises(InvalidCheckIn) as refused:
        save_mobility_step(work_order=order, actor=advisor, **data)
    assert refused.value.field == "mobility"


# --- jobs -------------------------------------------------------------------------


def test_a_free_text_job_is_priced_at_the_site_rate_and_counted(order, advisor):
    job = add_job(work_order=order, actor=advisor, concern="Check the squeak", flat_rate_hours=Decimal("0.5"), skill="diagnosis")

    order.refresh_from_db()
    assert (job.labour_price, job.approval) == (Decimal("49.00"), Approval.AGREED)
    assert order.net_total == Decimal("208.50")


def test_a_free_text_job_needs_hours(order, advisor):
    with pytest.raises(InvalidCheckIn) as refused:
        add_job(work_order=order, actor=advisor, concern="Check the squeak")
    assert refused.value.field == "flat_rate_hours"


# --- signature --------------------------------------------------------------------


def test_the_drawn_signature_keeps_the_image_the_time_and_the_hash_of_the_signed_content(signed, advisor, clock):
    signature = signed.signature
    assert signature.method == Signature.Method.DRAWN
    assert re.fullmatch(r"[0-9a-f]{64}", signature.content_hash)
    assert signature.content_hash == content_hash(signed)
    assert signature.content["spending_limit"] == "150.00" and signature.content["jobs"][0][1] == "Annual service"
    assert signature.image.read().startswith(b"\x89PNG")
    assert signature.signed_at is not None and signed.status == Status.SIGNED
    assert signed.events.last().actor == advisor


def test_the_hash_changes_with_any_agreed_term(checked_in, advisor):
    shown = content_hash(checked_in)
    data = {**step_data("agreement"), "spending_limit": Decimal("151")}
    save_agreement_step(work_order=checked_in, actor=advisor, **data)
    assert content_hash(checked_in) != shown


def test_signing_an_order_changed_since_it_was_shown_is_refused(checked_in, advisor):
    shown = content_hash(checked_in)
    add_job(work_order=checked_in, actor=advisor, concern="Wipers", flat_rate_hours=Decimal("0.2"))

    with pytest.raises(OrderChangedSinceShown):
        sign_on_tablet(work_order=checked_in, image_data_url=signature_data_url(), shown_hash=shown, actor=advisor)
    checked_in.refresh_from_db()
    assert checked_in.status == Status.CHECKED_IN and not Signature.objects.exists()


def test_a_signature_before_the_check_in_is_finished_is_refused(order, advisor):
    with pytest.raises(SignatureRefused, match="Finish"):
        sign_on_tablet(work_order=order, image_data_url=signature_data_url(), shown_hash=content_hash(order), actor=advisor)


@pytest.mark.parametrize(
    "data_url", ["", "data:image/png;base64,not-base64!", "data:image/png;base64,aGVsbG8=", "data:text/html;base64,PGI+"]
)
def test_an_empty_or_unreadable_signature_is_refused(checked_in, advisor, data_url):
    with pytest.raises(SignatureRefused):
        sign_on_tablet(work_order=checked_in, image_data_url=data_url, shown_hash=content_hash(checked_in), actor=advisor)


def test_a_signed_order_is_not_signed_twice(signed, advisor):
    with pytest.raises(SignatureRefused, match="already signed"):
        sign_on_tablet(work_order=signed, image_data_url=signature_data_url(), shown_hash=content_hash(signed), actor=advisor)


# --- after the signature ----------------------------------------------------------


def test_after_signature_the_check_in_steps_are_refused(signed, advisor):
    with pytest.raises(OrderSigned):
        data = {**step_data("agreement"), "spending_limit": Decimal("999")}
        save_agreement_step(work_order=signed, actor=advisor, **data)
    signed.refresh_from_db()
    assert signed.spending_limit == Decimal("150.00")


def test_after_signature_an_agreed_job_can_be_neither_edited_nor_removed(signed, advisor):
    job = signed.jobs.get()
    with pytest.raises(OrderSigned):
        change_job(job=job, actor=advisor, labour_price=Decimal("1.00"))
    with pytest.raises(OrderSigned):
        remove_job(job=job, actor=advisor)
    job.refresh_from_db()
    assert job.labour_price == Decimal("147.00")


def test_the_model_refuses_a_silent_edit_of_a_signed_line_as_a_safety_net(signed):
    job = signed.jobs.get()
    job.labour_price = Decimal("1.00")
    with pytest.raises(ValueError):
        job.save()
    with pytest.raises(ValueError):
        signed.parts.get().delete()
    job.refresh_from_db()
    job.cause = "Worn pads"
    job.save()


def test_after_signature_new_work_is_an_addition_waiting_for_approval_outside_the_agreed_total(signed, advisor):
    job = add_job(work_order=signed, actor=advisor, concern="Wiper blades", flat_rate_hours=Decimal("0.2"))

    signed.refresh_from_db()
    assert job.approval == Approval.PENDING
    assert signed.net_total == Decimal("159.50")
    assert content_hash(signed) == signed.signature.content_hash
    remove_job(job=job, actor=advisor)


def test_once_the_quality_check_started_no_job_can_be_removed(signed, advisor):
    job = add_job(work_order=signed, actor=advisor, concern="Wiper blades", flat_rate_hours=Decimal("0.2"))
    WorkOrder.objects.filter(pk=signed.pk).update(status=WorkOrder.Status.QUALITY_CHECK)

    with pytest.raises(TransitionNotAllowed, match="can no longer be removed"):
        remove_job(job=job, actor=advisor)
    assert signed.jobs.filter(pk=job.pk).exists()


def test_a_part_added_after_signature_waits_for_approval_and_before_is_agreed(order, advisor, service_operation):
    filter_part = service_operation.kit_lines.get().part
    agreed = add_part(work_order=order, actor=advisor, part=filter_part, quantity=Decimal("2"))
    order.refresh_from_db()
    assert agreed.approval == Approval.AGREED and order.parts_total == Decimal("37.50")

    signed = fill_check_in(order, advisor)
    sign_on_tablet(work_order=signed, image_data_url=signature_data_url(), shown_hash=content_hash(signed), actor=advisor)
    addition = add_part(work_order=signed, actor=advisor, part=filter_part, quantity=Decimal("1"))

    signed.refresh_from_db()
    assert addition.approval == Approval.PENDING and signed.parts_total == Decimal("37.50")
    with pytest.raises(InvalidCheckIn) as refused:
        add_part(work_order=signed, actor=advisor, part=filter_part, quantity=Decimal("0"))
    assert refused.value.field == "quantity"


# --- signature by one-time code ---------------------------------------------------


def test_an_absent_customer_signs_by_code(checked_in, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code_signature(work_order=checked_in, link="https://example.test/s/x", actor=advisor)
    bodies = [sms["body"] for sms in gateways.sms_outbox]
    assert any("https://example.test/s/x" in body and "prêt à signer" in body and checked_in.number in body for body in bodies)
    code = re.search(r"\b(\d{6})\b", bodies[-1]).group(1)

    signature = sign_by_code(work_order=checked_in, code=code, shown_hash=content_hash(checked_in))

    checked_in.refresh_from_db()
    assert (signature.method, checked_in.status, signature.recorded_by) == (Signature.Method.OTP, Status.SIGNED, None)
    assert signature.content_hash == content_hash(checked_in)


def test_a_wrong_code_is_refused_on_the_code_field(checked_in, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code_signature(work_order=checked_in, link="https://example.test/s/x", actor=advisor)
    code = re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)
    with pytest.raises(SignatureRefused) as refused:
        sign_by_code(work_order=checked_in, code=f"{(int(code) + 1) % 1_000_000:06d}", shown_hash=content_hash(checked_in))
    assert refused.value.field == "code"
    assert not Signature.objects.exists()


def test_a_code_does_not_sign_an_order_changed_since_the_page_was_shown(checked_in, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code_signature(work_order=checked_in, link="https://example.test/s/x", actor=advisor)
    code = re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)
    shown = content_hash(checked_in)
    add_job(work_order=checked_in, actor=advisor, concern="Wipers", flat_rate_hours=Decimal("0.2"))

    with pytest.raises(OrderChangedSinceShown):
        sign_by_code(work_order=checked_in, code=code, shown_hash=shown)
    checked_in.refresh_from_db()
    assert sign_by_code(work_order=checked_in, code=code, shown_hash=content_hash(checked_in)).method == "otp"


# --- photos -----------------------------------------------------------------------


def test_a_photo_is_stored_with_the_type_read_from_its_content(order, advisor):
    photo = add_photo(work_order=order, upload=photo_upload(name="scratch.txt", content_type="text/plain"), actor=advisor)
    assert (photo.content_type, photo.extension) == ("image/jpeg", "jpg")
    assert photo.image.name.endswith(".jpg") and photo.size > 0


def test_a_file_that_is_not_an_image_is_refused(order, advisor):
    with pytest.raises(PhotoRefused, match="not a photo"):
        add_photo(work_order=order, upload=photo_upload(content=b"%PDF-1.4 fake"), actor=advisor)
    assert not order.photos.exists()


def test_a_photo_over_the_limit_is_refused(order, advisor):
    big = photo_upload(content=image_bytes("PNG") + b"\0" * MAX_PHOTO_BYTES)
    with pytest.raises(PhotoRefused, match="too big"):
        add_photo(work_order=order, upload=big, actor=advisor)


# --- handover to the workshop -----------------------------------------------------


def test_only_a_signed_order_goes_to_the_workshop(checked_in, advisor):
    with pytest.raises(TransitionNotAllowed):
        hand_to_workshop(work_order=checked_in, actor=advisor)


def test_a_signed_order_goes_to_the_workshop_and_every_move_is_recorded(signed, advisor):
    hand_to_workshop(work_order=signed, actor=advisor)
    moves = list(WorkOrderEvent.objects.filter(work_order=signed).values_list("from_status", "to_status", "actor"))
    assert moves == [
        ("", "draft", advisor.pk),
        ("draft", "checked_in", advisor.pk),
        ("checked_in", "signed", advisor.pk),
        ("signed", "in_workshop", advisor.pk),
    ]


def test_a_part_is_added_at_its_price_in_the_orders_currency_or_refused_naming_the_part(order, advisor):
    from appointments.tests.factories import PartFactory

    wiper = PartFactory(number="WIPER", name="Wiper blade", unit_price=Decimal("19.00"))
    wiper.prices.create(currency="RUB", amount=Decimal("1850.00"))
    tyre_valve = PartFactory(number="VALVE", unit_price=Decimal("9.60"))
    WorkOrder.objects.filter(pk=order.pk).update(currency="RUB")
    order.refresh_from_db()

    line = add_part(work_order=order, actor=advisor, part=wiper, quantity=Decimal("1"))
    assert line.unit_price == Decimal("1850.00")
    with pytest.raises(InvalidCheckIn, match="No price in RUB for VALVE") as error:
        add_part(work_order=order, actor=advisor, part=tyre_valve, quantity=Decimal("1"))
    assert error.value.field == "part"
    assert not order.parts.filter(part=tyre_valve).exists()

"""Workshop writes, one module per sub-domain: reception (open, check-in steps, job lines, photos, hand over), the
signature, the floor (dispatch, the two clocks, sign-off), the inspection, extra work (proposals, decisions,
deferred work, the promised time), the quality check (invoicing readiness, delivery, the advisor's notifications).

Every service runs in one transaction, locks the work order first, refuses
what the status does not allow, records an audit row (and a ``WorkOrderEvent``
for a status change) and raises a ``WorkOrderError`` naming the field. What
the customer signs, and its hash, is ``workshop.signed_content``.

Import the services from here (``from workshop.services import open_work_order``);
a test that replaces a name patches the module that looks it up.
"""

from .extra_work import (
    DEFERRED_DUE,
    DEFERRED_DUE_DEFAULT,
    add_proposal_part,
    approved_extra_net,
    change_promised_time,
    decide_proposal,
    mark_request_viewed,
    proposal_amounts,
    reprice_proposal,
    request_customer_approval,
    sell_deferred_work,
)
from .floor import (
    assign_job,
    clock_in,
    clock_off_job,
    clock_on_job,
    clock_out,
    confirm_clocking,
    correct_clocking,
    end_break,
    hold_job,
    resume_job,
    sign_off_job,
    start_break,
)
from .inspection import checklist_for, save_inspection, start_inspection
from .quality import (
    ROAD_TEST_SKILLS,
    mark_delivered,
    mark_notification_read,
    mark_ready_for_invoicing,
    needs_road_test,
    notify_advisor,
    record_quality_check,
)
from .reception import (
    JOBS_REMOVABLE_IN,
    MAX_PHOTO_BYTES,
    STEP_KEYS,
    STEP_SERVICES,
    STEPS,
    Step,
    add_job,
    add_part,
    add_photo,
    change_job,
    hand_to_workshop,
    open_walk_in,
    open_work_order,
    prepare_work_order,
    remove_job,
    save_agreement_step,
    save_documents_step,
    save_estimate_step,
    save_findings_step,
    save_greet_step,
    save_mobility_step,
    save_prepare_step,
    save_walk_around_step,
    step_by_key,
    take_number,
    withdraw_prepared_order,
)
from .signature import (
    CODE_RESEND_AFTER,
    MAX_SIGNATURE_BYTES,
    SIGNATURE_PURPOSE,
    request_code_signature,
    send_signature_code,
    sign_by_code,
    sign_on_tablet,
    signature_png,
)

__all__ = [
    # reception
    "JOBS_REMOVABLE_IN",
    "MAX_PHOTO_BYTES",
    "STEPS",
    "STEP_KEYS",
    "STEP_SERVICES",
    "Step",
    "add_job",
    "add_part",
    "add_photo",
    "change_job",
    "hand_to_workshop",
    "open_walk_in",
    "open_work_order",
    "prepare_work_order",
    "remove_job",
    "save_agreement_step",
    "save_documents_step",
    "save_estimate_step",
    "save_findings_step",
    "save_greet_step",
    "save_mobility_step",
    "save_prepare_step",
    "save_walk_around_step",
    "step_by_key",
    "take_number",
    "withdraw_prepared_order",
    # signature
    "CODE_RESEND_AFTER",
    "MAX_SIGNATURE_BYTES",
    "SIGNATURE_PURPOSE",
    "request_code_signature",
    "send_signature_code",
    "sign_by_code",
    "sign_on_tablet",
    "signature_png",
    # floor
    "assign_job",
    "clock_in",
    "clock_off_job",
    "clock_on_job",
    "clock_out",
    "confirm_clocking",
    "correct_clocking",
    "end_break",
    "hold_job",
    "resume_job",
    "sign_off_job",
    "start_break",
    # inspection
    "checklist_for",
    "save_inspection",
    "start_inspection",
    # extra work
    "DEFERRED_DUE",
    "DEFERRED_DUE_DEFAULT",
    "add_proposal_part",
    "approved_extra_net",
    "change_promised_time",
    "decide_proposal",
    "mark_request_viewed",
    "proposal_amounts",
    "reprice_proposal",
    "request_customer_approval",
    "sell_deferred_work",
    # quality
    "ROAD_TEST_SKILLS",
    "mark_delivered",
    "mark_notification_read",
    "mark_ready_for_invoicing",
    "needs_road_test",
    "notify_advisor",
    "record_quality_check",
]

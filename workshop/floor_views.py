"""Workshop screens: the foreman's dispatch board, the technician's screen, the inspection, extra work on the
work order, the quality-check queue; and the customer's approval page (signed link, no login)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import staff_view
from aftersales.lib.domain import add_domain_error
from aftersales.lib.signing import LinkError, make_token, read_token
from appointments.online import brand_of
from appointments.online_views import public_render, visitor_locale

from . import services
from .exceptions import WorkOrderError
from .forms import (
    AssignForm,
    AttendanceForm,
    ClockingCorrectionForm,
    CustomerDecisionForm,
    DecisionForm,
    FindingForm,
    InspectionForm,
    PhotoForm,
    PromisedTimeForm,
    ProposalPartForm,
    QualityCheckForm,
    RepriceForm,
    SignOffForm,
)
from .models import AdvisorNotification, Approval, ApprovalDecision, DeferredWork, InspectionResult, WorkOrder, WorkOrderJob, WorkOrderPhoto
from .selectors import (
    board_sites,
    clockings_to_confirm,
    customer_approval_page,
    dispatch_board,
    get_clocking_review_for_user,
    get_inspection,
    get_job_for_user,
    get_work_order_for_user,
    open_deferred_work,
    quality_queue,
    technician_day,
    work_order_page,
    work_order_progress,
)
from .views import invalid_link_page, order_context, photo_response

VIEW = "workshop.view_workorder"
DISPATCH = "workshop.dispatch_jobs"
WORK = "workshop.work_on_jobs"
CHANGE = "workshop.change_workorder"
DECIDE = "workshop.decide_extra_work"
CHECK = "workshop.check_quality"
APPROVAL_PURPOSE = "extra-work-approval"
APPROVAL_MAX_AGE = timedelta(days=3)


# The fields services name in their refusals, as the message shows them.
FIELD_LABELS = {
    "attendance": gettext_lazy("Attendance"),
    "bay": gettext_lazy("Bay"),
    "clocked_hours": gettext_lazy("Real time spent (hours)"),
    "decided_by": gettext_lazy("Who decided"),
    "deferred": gettext_lazy("Deferred work"),
    "job": gettext_lazy("Job"),
    "jobs": gettext_lazy("Jobs"),
    "labour_price": gettext_lazy("Labour price"),
    "method": gettext_lazy("How"),
    "parts": gettext_lazy("Parts"),
    "photo": gettext_lazy("Photo"),
    "promised_at": gettext_lazy("Promised return"),
    "rating": gettext_lazy("Rating"),
    "reason": gettext_lazy("Reason for the correction"),
    "status": gettext_lazy("Status"),
    "technician": gettext_lazy("Technician"),
    "amount": gettext_lazy("Price"),
}


def _refused(request: HttpRequest, error: WorkOrderError) -> None:
    """Show a service's refusal as a message naming the field it is about."""
    label = FIELD_LABELS.get(error.field, error.field.replace("_", " ")) if error.field else ""
    messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": error.message} if label else str(error.message))


def _htmx_partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- dispatch board ----------------------------------------------------------------


def _chosen_site(request: HttpRequest, value: str = ""):
    sites = list(board_sites(user=request.user))
    if not sites:
        raise Http404
    chosen = value or request.GET.get("site", "")
    return next((site for site in sites if str(site.pk) == chosen), sites[0]), sites


def _dispatch_page(request: HttpRequest, site, sites, status: int = 200, correction_form=None, corrected=None) -> HttpResponse:
    expanded = request.GET.get("column", "")
    board = dispatch_board(site=site, expanded=expanded)
    context = {"site": site, "sites": sites, "board": board, "expanded": expanded, "assign_form": AssignForm(site=site)}
    if not _htmx_partial(request):  # outside the board htmx refreshes, so a correction being typed stays
        context["reviews"] = clockings_to_confirm(site=site)
        for review in context["reviews"]:
            refused = correction_form is not None and corrected == review.pk
            review.correction_form = correction_form if refused else ClockingCorrectionForm(auto_id=f"id_review{review.pk}_%s")
    response = render(
        request, "workshop/dispatch.html#board" if _htmx_partial(request) else "workshop/dispatch.html", context, status=status
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view(VIEW, DISPATCH)
def dispatch(request: HttpRequest) -> HttpResponse:
    site, sites = _chosen_site(request)
    return _dispatch_page(request, site, sites)


@require_POST
@staff_view(VIEW, DISPATCH)
def dispatch_assign(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = get_job_for_user(user=request.user, pk=job_pk)
    site, sites = _chosen_site(request, str(job.work_order.site_id))
    form = AssignForm(request.POST, site=site)
    if form.is_valid():
        try:
            services.assign_job(job=job, technician=form.cleaned_data["technician"], bay=form.cleaned_data["bay"], actor=request.user)
        except WorkOrderError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Job assigned."))
            return redirect(f"{reverse('workshop:dispatch')}?site={site.pk}")
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": " ".join(errors)})
    return _dispatch_page(request, site, sites, status=400)


def _job_action(request: HttpRequest, job_pk: int, action) -> HttpResponse:
    job = get_job_for_user(user=request.user, pk=job_pk)
    try:
        action(job=job, actor=request.user)
    except WorkOrderError as error:
        _refused(request, error)
    return redirect(f"{reverse('workshop:dispatch')}?site={job.work_order.site_id}")


@require_POST
@staff_view(VIEW, DISPATCH)
def dispatch_hold(request: HttpRequest, job_pk: int) -> HttpResponse:
    return _job_action(request, job_pk, services.hold_job)


@require_POST
@staff_view(VIEW, DISPATCH)
def dispatch_resume(request: HttpRequest, job_pk: int) -> HttpResponse:
    return _job_action(request, job_pk, services.resume_job)


# --- the foreman's review of implausible clocked times ------------------------------------


def _back_to_dispatch(review) -> HttpResponse:
    return redirect(f"{reverse('workshop:dispatch')}?site={review.job.work_order.site_id}")


@require_POST
@staff_view(VIEW, DISPATCH)
def clocking_confirm(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_clocking_review_for_user(user=request.user, pk=review_pk)
    try:
        services.confirm_clocking(review=review, actor=request.user)
    except WorkOrderError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Clocked time confirmed: the job counts in the efficiency figure."))
    return _back_to_dispatch(review)


@require_POST
@staff_view(VIEW, DISPATCH)
def clocking_correct(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_clocking_review_for_user(user=request.user, pk=review_pk)
    form = ClockingCorrectionForm(request.POST, auto_id=f"id_review{review.pk}_%s")
    if form.is_valid():
        try:
            services.correct_clocking(review=review, actor=request.user, **form.cleaned_data)
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Clocked time corrected: the efficiency figure uses the real time."))
            return _back_to_dispatch(review)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": " ".join(errors)} if label else " ".join(errors))
    site, sites = _chosen_site(request, str(review.job.work_order.site_id))
    return _dispatch_page(request, site, sites, status=400, correction_form=form, corrected=review.pk)


# --- the technician's screen ---------------------------------------------------------


def _my_jobs_page(request: HttpRequest, status: int = 200, finding_form=None, finding_order=None) -> HttpResponse:
    """The technician's jobs, each with its own sign-off and finding forms (the refused one shown again)."""
    day = technician_day(technician=request.user)
    operations = list(FindingForm.base_fields["operation"].choices)
    for job in day.jobs:
        job.sign_off_form = SignOffForm(auto_id=f"id_job{job.pk}_%s")
        refused = finding_order is not None and finding_order.pk == job.work_order_id and finding_form is not None
        job.finding_form = finding_form if refused else FindingForm(auto_id=f"id_finding{job.pk}_%s", operation_choices=operations)
        job.finding_refused = refused
    return render(request, "workshop/my_jobs.html", {"day": day}, status=status)


@staff_view(VIEW, WORK)
def my_jobs(request: HttpRequest) -> HttpResponse:
    return _my_jobs_page(request)


ATTENDANCE_ACTIONS = {"in": services.clock_in, "break": services.start_break, "resume": services.end_break, "out": services.clock_out}


@require_POST
@staff_view(VIEW, WORK)
def attendance(request: HttpRequest) -> HttpResponse:
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Attendance: choose clock in, break, back from break or clock out."))
        return _my_jobs_page(request, status=400)
    try:
        ATTENDANCE_ACTIONS[form.cleaned_data["action"]](technician=request.user)
    except WorkOrderError as error:
        _refused(request, error)
        return _my_jobs_page(request, status=400)
    return redirect("workshop:my_jobs")


def _technician_action(request: HttpRequest, job_pk: int, action, **extra) -> HttpResponse:
    job = get_job_for_user(user=request.user, pk=job_pk)
    try:
        action(job=job, technician=request.user, **extra)
    except WorkOrderError as error:
        _refused(request, error)
        return _my_jobs_page(request, status=400)
    return redirect("workshop:my_jobs")


@require_POST
@staff_view(VIEW, WORK)
def clock_on(request: HttpRequest, job_pk: int) -> HttpResponse:
    return _technician_action(request, job_pk, services.clock_on_job)


@require_POST
@staff_view(VIEW, WORK)
def clock_off(request: HttpRequest, job_pk: int) -> HttpResponse:
    return _technician_action(request, job_pk, services.clock_off_job)


@require_POST
@staff_view(VIEW, WORK)
def sign_off(request: HttpRequest, job_pk: int) -> HttpResponse:
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _my_jobs_page(request, status=400)
    return _technician_action(request, job_pk, services.sign_off_job, **form.cleaned_data)


@require_POST
@staff_view(VIEW, WORK)
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The technician reports a finding: an addition waiting for the customer's approval."""
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        if order.status != WorkOrder.Status.IN_WORKSHOP:
            form.add_error(None, _("Findings are reported while the car is in the workshop."))
        else:
            try:
                services.add_job(work_order=order, actor=request.user, **form.cleaned_data)
            except WorkOrderError as error:
                add_domain_error(form, error)
    if form.errors:
        return _my_jobs_page(request, status=400, finding_form=form, finding_order=order)
    messages.success(request, _("Finding reported: the advisor prices it and asks the customer."))
    return redirect("workshop:my_jobs")


# --- the multi-point inspection -------------------------------------------------------


def _inspection_page(request: HttpRequest, order: WorkOrder, form=None, photo_form=None, status: int = 200) -> HttpResponse:
    inspection = get_inspection(work_order=order)
    if inspection is not None and form is None:
        form = InspectionForm(results=inspection.results.all())
    context = {"order": order, "inspection": inspection, "form": form, "photo_form": photo_form or PhotoForm()}
    return render(request, "workshop/inspection.html", context, status=status)


@staff_view(VIEW, WORK)
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        return _inspection_page(request, order)
    if "start" in request.POST:
        try:
            services.start_inspection(work_order=order, actor=request.user)
        except WorkOrderError as error:
            _refused(request, error)
            return _inspection_page(request, order, status=400)
        return redirect("workshop:inspection", pk=order.pk)
    current = get_inspection(work_order=order)
    if current is None:
        raise Http404
    form = InspectionForm(request.POST, results=current.results.all())
    if form.is_valid():
        try:
            services.save_inspection(
                inspection=current, actor=request.user, results=form.results_data(), complete="complete" in request.POST
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Inspection complete: the proposals wait for the customer's approval.")
                if "complete" in request.POST
                else _("Inspection saved."),
            )
            return redirect("workshop:inspection", pk=order.pk)
    return _inspection_page(request, order, form=form, status=400)


@require_POST
@staff_view(VIEW, WORK)
def inspection_photo(request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    result = get_object_or_404(InspectionResult.objects.select_related("inspection", "item"), inspection__work_order=order, pk=result_pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(
                work_order=order,
                upload=form.cleaned_data["photo"],
                actor=request.user,
                inspection_result=result,
                caption=form.cleaned_data["caption"] or result.item.localized("label", order.customer.language),
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
    if request.htmx:  # only the point's photos cell: the grid's unsaved ratings and notes stay as they are
        context = {"order": order, "row": result, "photo_form": PhotoForm(), "row_photo_errors": form.errors.get("photo", [])}
        return render(request, "workshop/_inspection_photos.html", context, status=400 if form.errors else 200)
    if form.errors:
        messages.error(request, _("Photo for “%(point)s” refused.") % {"point": result.item.localized("label")})
        return _inspection_page(request, order, photo_form=form, status=400)
    messages.success(request, _("Photo added."))
    return redirect(f"{reverse('workshop:inspection', kwargs={'pk': order.pk})}#result-{result.pk}")


# --- extra work on the work order (the advisor) -------------------------------------


@staff_view(VIEW)
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live panel of the work order page (polled by htmx): status, jobs, decisions, "viewed"."""
    order = work_order_progress(user=request.user, pk=pk)
    return render(request, "workshop/_progress.html", _progress_context(order))


def _progress_context(order: WorkOrder, decision_form=None, decision_job=None, promise_form=None, part_form=None, part_job=None) -> dict:
    """The live panel's data, and for each addition its price and (while pending) its decision and price forms."""
    jobs = list(order.jobs.all())
    amounts = {job.pk: services.proposal_amounts(job, order.vat_rate) for job in jobs if job.approval != Approval.AGREED}
    for job in jobs:
        job.net, job.gross = amounts.get(job.pk, (None, None))
        if job.approval == Approval.PENDING:
            refused = decision_form is not None and decision_job == job.pk
            job.decision_form = decision_form if refused else DecisionForm(auto_id=f"id_decide{job.pk}_%s")
            job.reprice_form = RepriceForm(job=job, auto_id=f"id_price{job.pk}_%s")
            job.part_form = part_form if part_job == job.pk else ProposalPartForm(auto_id=f"id_part{job.pk}_%s")
    return {
        "order": order,
        "jobs": jobs,
        "requests": list(order.approval_requests.all()),
        "pending": [job for job in jobs if job.approval == Approval.PENDING],
        "promise_form": promise_form or PromisedTimeForm(),
        "now": timezone.now(),
    }


@staff_view(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The work order: reception's summary, and the live workshop progress with extra work and decisions."""
    return _order_page(request, pk, status=200)


def _order_page(request: HttpRequest, pk: int, status: int = 400, **forms) -> HttpResponse:
    """The work order page (again with a refused form and status 400)."""
    order = work_order_page(user=request.user, pk=pk)
    deferred = [item for item in open_deferred_work(vehicle=order.vehicle) if item.declined_job.work_order_id != order.pk]
    context = {
        **_progress_context(order, **forms),
        **order_context(order),
        "order": order,
        "deferred_work": deferred,
    }
    return render(request, "workshop/detail.html", context, status=status)


def _proposal(request: HttpRequest, pk: int, job_pk: int) -> WorkOrderJob:
    order = get_work_order_for_user(user=request.user, pk=pk)
    return get_object_or_404(WorkOrderJob.objects.select_related("work_order").prefetch_related("parts__part"), work_order=order, pk=job_pk)


@require_POST
@staff_view(VIEW, CHANGE, DECIDE)
def proposal_decide(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = _proposal(request, pk, job_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_proposal(
                job=job,
                approved=data["decision"] == "approve",
                method=data["method"],
                decided_by=data["decided_by"],
                actor=request.user,
                reason=data["reason"],
            )
        except WorkOrderError as error:
            if job.approval != Approval.PENDING:  # its form is not on the page any more
                _refused(request, error)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("workshop:detail", pk=pk)
    return _order_page(request, pk, decision_form=form, decision_job=job.pk)


@require_POST
@staff_view(VIEW, CHANGE, DECIDE)
def proposal_reprice(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = _proposal(request, pk, job_pk)
    form = RepriceForm(request.POST, job=job)
    if form.is_valid():
        try:
            services.reprice_proposal(
                job=job, actor=request.user, labour_price=form.cleaned_data["labour_price"], part_prices=form.part_prices()
            )
        except WorkOrderError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Price updated."))
            return redirect("workshop:detail", pk=pk)
    else:
        messages.error(request, _("Price: give amounts of zero or more."))
    return _order_page(request, pk)


@require_POST
@staff_view(VIEW, CHANGE, DECIDE)
def proposal_part_add(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = _proposal(request, pk, job_pk)
    form = ProposalPartForm(request.POST, auto_id=f"id_part{job.pk}_%s")
    if form.is_valid():
        try:
            services.add_proposal_part(job=job, actor=request.user, **form.cleaned_data)
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Part added to the extra work."))
            return redirect("workshop:detail", pk=pk)
    return _order_page(request, pk, part_form=form, part_job=job.pk)


@require_POST
@staff_view(VIEW, CHANGE, DECIDE)
def approval_send(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)

    def link_for(approval_request) -> str:
        token = make_token(purpose=APPROVAL_PURPOSE, pk=approval_request.pk)
        return request.build_absolute_uri(reverse("workshop:customer_approval", kwargs={"token": token}))

    try:
        services.request_customer_approval(work_order=order, actor=request.user, link_for=link_for)
    except WorkOrderError as error:
        _refused(request, error)
        return _order_page(request, pk)
    messages.success(request, _("The customer received the link to approve or decline the extra work."))
    return redirect("workshop:detail", pk=pk)


@require_POST
@staff_view(VIEW, CHANGE, DECIDE)
def deferred_add(request: HttpRequest, pk: int, deferred_pk: int) -> HttpResponse:
    """Work the customer declined on an earlier visit, added to this order (and linked to the job that sells it)."""
    order = get_work_order_for_user(user=request.user, pk=pk)
    deferred = get_object_or_404(DeferredWork, vehicle=order.vehicle, pk=deferred_pk)
    try:
        services.sell_deferred_work(deferred=deferred, work_order=order, actor=request.user)
    except WorkOrderError as error:
        _refused(request, error)
        return _order_page(request, pk)
    messages.success(request, _("Deferred work added to the order."))
    return redirect("workshop:detail", pk=pk)


@require_POST
@staff_view(VIEW, CHANGE)
def promised_time(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = PromisedTimeForm(request.POST)
    if form.is_valid():
        try:
            services.change_promised_time(
                work_order=order, promised_at=form.cleaned_data["promised_at"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("New return time saved; the customer is told at once."))
            return redirect("workshop:detail", pk=pk)
    return _order_page(request, pk, promise_form=form)


@require_POST
@staff_view(VIEW, "workshop.add_workorder")
def notification_read(request: HttpRequest, notification_pk: int) -> HttpResponse:
    notification = get_object_or_404(AdvisorNotification, advisor=request.user, pk=notification_pk)
    services.mark_notification_read(notification=notification, actor=request.user)
    return redirect("workshop:board")


# --- quality check ---------------------------------------------------------------


@staff_view(VIEW, CHECK)
def qc_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "workshop/qc_queue.html", {"orders": quality_queue(user=request.user)})


@staff_view(VIEW, CHECK)
def qc_check(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = QualityCheckForm(request.POST if request.method == "POST" else None, work_order=order)
    if form.is_bound and form.is_valid():
        try:
            services.record_quality_check(
                work_order=order,
                inspector=request.user,
                passed=form.cleaned_data["outcome"] == "pass",
                redo_jobs=list(form.cleaned_data["redo_jobs"]),
                **form.check_data(),
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Quality check recorded."))
            return redirect("workshop:qc_queue")
    context = {
        "order": order,
        "form": form,
        "road_test": services.needs_road_test(order),
        "checks": list(order.quality_checks.select_related("inspector")),
    }
    return render(request, "workshop/qc_check.html", context, status=400 if form.is_bound else 200)


# --- the customer's approval page (signed link, no login) ---------------------------


def _request_from_token(token: str):
    try:
        pk = read_token(token, purpose=APPROVAL_PURPOSE, max_age=APPROVAL_MAX_AGE)
    except LinkError:
        return None
    return customer_approval_page(request_pk=pk)


def _customer_approval_page(request: HttpRequest, token: str, approval_request, form=None, status: int = 200) -> HttpResponse:
    order = approval_request.work_order
    jobs = list(order.jobs.all())
    context = {
        "order": order,
        "token": token,
        "form_error": form,
        "inspection": getattr(order, "inspection", None),
        "proposals": [(job, *services.proposal_amounts(job, order.vat_rate)) for job in jobs],
        "brand": brand_of(order.site, order.vehicle),
    }
    return public_render(request, "workshop/customer_approval.html", context, site=order.site, customer=order.customer, status=status)


@login_not_required
def customer_approval(request: HttpRequest, token: str) -> HttpResponse:
    approval_request = _request_from_token(token)
    if approval_request is None:
        return invalid_link_page(request)
    order = approval_request.work_order
    with visitor_locale(request, site=order.site, customer=order.customer):
        if request.method != "POST":
            services.mark_request_viewed(request=approval_request, viewer=request.user)
            return _customer_approval_page(request, token, approval_request)
        form = CustomerDecisionForm(request.POST)
        if form.is_valid():
            job = next((job for job in order.jobs.all() if job.pk == form.cleaned_data["job"]), None)
            if job is None:
                form.add_error("job", _("This line is not on your order."))
            else:
                try:
                    services.decide_proposal(
                        job=job,
                        approved=form.cleaned_data["decision"] == "approve",
                        method=ApprovalDecision.Method.SIGNED_LINK,
                        shown_gross=form.cleaned_data["shown_gross"],
                        reason=form.cleaned_data["reason"],
                        request=approval_request,
                    )
                except WorkOrderError as error:
                    add_domain_error(form, error)
                else:
                    return redirect("workshop:customer_approval", token=token)
        return _customer_approval_page(request, token, _request_from_token(token), form=form, status=400)


@login_not_required
def customer_photo(request: HttpRequest, token: str, photo_pk: int) -> HttpResponse:
    """An inspection photo, only through the customer's signed link to its order."""
    approval_request = _request_from_token(token)
    if approval_request is None:
        raise Http404
    item = get_object_or_404(WorkOrderPhoto, work_order_id=approval_request.work_order_id, inspection_result__isnull=False, pk=photo_pk)
    return photo_response(item)

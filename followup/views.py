from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import get_for_user, staff_view
from aftersales.customers.models import Customer, Vehicle
from aftersales.lib.domain import add_domain_error
from aftersales.lib.formatting import format_number
from aftersales.lib.signing import LinkError, read_token
from appointments.online import brand_of
from appointments.online_views import public_render, visitor_locale

from . import selectors, services
from .exceptions import FollowupError
from .forms import (
    AnswerForm,
    AssignForm,
    CallbackForm,
    CallListFilterForm,
    CallOutcomeForm,
    CloseForm,
    ConcernFilterForm,
    ConcernForm,
    MonthForm,
    NoteForm,
    OutreachForm,
    OwnerForm,
    QuestionForm,
    RatingForm,
    RemarksForm,
    SiteFilterForm,
    SurveyForm,
)
from .models import CallTask, Escalation, SatisfactionAnswer, VisitFollowup

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _status(form) -> int:
    return 400 if form.is_bound and not form.is_valid() else 200


def booking_url(task) -> str:
    """The booking desk opened on the task's vehicle when it can be, else the customer's page."""
    if task.vehicle_id is None:
        return task.customer.get_absolute_url()
    return f"{reverse('appointments:desk')}?{urlencode({'vehicle': task.vehicle_id})}"


# --- Call list --------------------------------------------------------------------


@staff_view("followup.view_calltask")
def call_list(request: HttpRequest) -> HttpResponse:
    form = CallListFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.list_due_calls(user=request.user, site=filters.get("site"), agent=filters.get("agent"), now=timezone.now())
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    context = {"form": form, "page": _page(request, tasks), "overdue_before": today}
    return render(request, "followup/call_list.html", context, status=_status(form))


def _outcome_form_class(task: CallTask):
    return CallbackForm if task.kind == CallTask.Kind.CALLBACK else CallOutcomeForm


def _call_page(request, task, *, outcome_form=None, assign_form=None, status=200) -> HttpResponse:
    context = {
        "task": task,
        "visit": selectors.callback_visit(task),
        "outcome_form": outcome_form or _outcome_form_class(task)(),
        "assign_form": assign_form or AssignForm(site=task.site, initial={"assigned_to": task.assigned_to_id}),
        "script": selectors.call_script(task),
        "booking_url": booking_url(task),
    }
    return render(request, "followup/call_detail.html", context, status=status)


@staff_view("followup.view_calltask")
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_page(request, selectors.get_call_task_for_user(user=request.user, pk=pk))


@require_POST
@staff_view("followup.view_calltask", "followup.change_calltask")
def call_record(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_call_task_for_user(user=request.user, pk=pk)
    form = _outcome_form_class(task)(request.POST)
    if form.is_valid():
        try:
            if task.kind == CallTask.Kind.CALLBACK:
                _attempt, answer = services.record_callback_outcome(task=task, agent=request.user, **form.cleaned_data)
            else:
                answer = None
                services.record_call_attempt(
                    task=task,
                    outcome=form.cleaned_data["outcome"],
                    remarks=form.cleaned_data["remarks"],
                    agent=request.user,
                )
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Call recorded."))
            if answer is not None and answer.concern_id:
                messages.warning(
                    request,
                    _("The customer is dissatisfied: complaint %(reference)s is opened and the managers are told.")
                    % {"reference": answer.concern.reference},
                )
            return redirect("followup:call_list")
    return _call_page(request, task, outcome_form=form, status=400)


@require_POST
@staff_view("followup.view_calltask", "followup.change_calltask")
def call_assign(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_call_task_for_user(user=request.user, pk=pk)
    form = AssignForm(request.POST, site=task.site)
    if form.is_valid():
        try:
            services.assign_call_task(task=task, agent=form.cleaned_data["assigned_to"], actor=request.user)
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Call assigned."))
            return redirect(task)
    return _call_page(request, task, assign_form=form, status=400)


# --- Concerns ---------------------------------------------------------------------


@staff_view("followup.view_concern")
def concern_list(request: HttpRequest) -> HttpResponse:
    form = ConcernFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    concerns = selectors.list_concerns(user=request.user, status=filters.get("status", ""), kind=filters.get("kind", ""))
    return render(request, "followup/concern_list.html", {"form": form, "page": _page(request, concerns)}, status=_status(form))


@staff_view("followup.add_concern", "customers.view_customer")
def concern_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_user(Customer.objects.select_related("site"), request.user, pk=customer_pk)
    form = ConcernForm(request.POST if request.method == "POST" else None, customer=customer, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            concern = services.record_concern(customer=customer, recorded_by=request.user, **form.cleaned_data)
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Concern %(reference)s recorded; the customer is acknowledged.") % {"reference": concern.reference})
            return redirect(concern)
    return render(request, "followup/concern_form.html", {"form": form, "customer": customer}, status=400 if form.is_bound else 200)


# action: (form, service, the form fields the service takes by the same names, success message)
CONCERN_ACTIONS = {
    "request_info": (QuestionForm, services.request_concern_info, gettext_lazy("The question is on its way to the customer.")),
    "reply": (NoteForm, services.record_customer_reply, gettext_lazy("The customer's answer is recorded.")),
    "answer": (AnswerForm, services.answer_concern, gettext_lazy("Answer recorded.")),
    "close": (CloseForm, services.close_concern, gettext_lazy("Concern closed.")),
    "reopen": (NoteForm, services.reopen_concern, gettext_lazy("Concern reopened.")),
}


def _concern_page(request, concern, *, forms=None, status=200) -> HttpResponse:
    forms = forms or {}
    context = {
        "concern": concern,
        "question_form": forms.get("request_info", QuestionForm()),
        "reply_form": forms.get("reply", NoteForm(prefix="reply")),
        "answer_form": forms.get("answer", AnswerForm()),
        "close_form": forms.get("close", CloseForm()),
        "reopen_form": forms.get("reopen", NoteForm(prefix="reopen")),
        "owner_form": forms.get("assign", OwnerForm(site=concern.site, initial={"owner": concern.owner_id})),
        "refusals": [error for form in forms.values() for error in form.non_field_errors()],
    }
    return render(request, "followup/concern_detail.html", context, status=status)


@staff_view("followup.view_concern")
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_page(request, selectors.get_concern_for_user(user=request.user, pk=pk))


@require_POST
@staff_view("followup.view_concern", "followup.change_concern")
def concern_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    concern = selectors.get_concern_for_user(user=request.user, pk=pk)
    form_class, service, done = CONCERN_ACTIONS[action]
    form = form_class(request.POST, prefix=action if form_class is NoteForm else None)
    if form.is_valid():
        try:
            service(concern=concern, actor=request.user, **form.cleaned_data)
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect(concern)
    return _concern_page(request, concern, forms={action: form}, status=400)


@require_POST
@staff_view("followup.view_concern", "followup.change_concern")
def concern_assign(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.get_concern_for_user(user=request.user, pk=pk)
    form = OwnerForm(request.POST, site=concern.site)
    if form.is_valid():
        try:
            services.assign_concern(concern=concern, owner=form.cleaned_data["owner"], actor=request.user)
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Person responsible changed."))
            return redirect(concern)
    return _concern_page(request, concern, forms={"assign": form}, status=400)


# --- Manager: escalations, monthly review, reminders, mileage checks -------------------


@staff_view("followup.view_escalation")
def escalation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "followup/escalation_list.html", {"page": _page(request, selectors.list_escalations(user=request.user))})


@require_POST
@staff_view("followup.view_escalation", "followup.change_escalation")
def escalation_handle(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_for_user(Escalation.objects.all(), request.user, pk=pk)
    try:
        services.handle_escalation(escalation=escalation, actor=request.user)
    except FollowupError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Escalation marked as handled."))
    return redirect("followup:escalations")


@staff_view("followup.review_complaints")
def complaint_review(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET or None)
    month = form.month_or_current() if form.is_valid() else timezone.localdate().replace(day=1)
    reviews, complaints = selectors.monthly_complaint_review(user=request.user, month=month)
    context = {"form": form, "month": month, "reviews": reviews, "page": _page(request, complaints)}
    return render(request, "followup/complaint_review.html", context, status=_status(form))


@staff_view("followup.view_maintenancereminder")
def reminder_list(request: HttpRequest) -> HttpResponse:
    form = SiteFilterForm(request.GET or None, user=request.user)
    site = form.cleaned_data.get("site") if form.is_valid() else None
    reminders = selectors.list_reminders(user=request.user, site=site)
    total, converted = selectors.reminder_conversion(reminders)
    context = {
        "form": form,
        "page": _page(request, reminders),
        "total": total,
        "converted": converted,
        "rate": round(100 * converted / total) if total else None,
    }
    return render(request, "followup/reminder_list.html", context, status=_status(form))


@staff_view("followup.view_mileagecheck")
def mileage_check_list(request: HttpRequest) -> HttpResponse:
    return render(request, "followup/mileage_checks.html", {"page": _page(request, selectors.list_mileage_checks(user=request.user))})


@require_POST
@staff_view("followup.view_mileagecheck", "followup.change_mileagecheck")
def mileage_check_decide(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.get_mileage_check_for_user(user=request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision not in {"confirm", "reject"}:
        messages.error(request, _("Choose to confirm or reject the reading."))
        return redirect("followup:mileage_checks")
    try:
        services.decide_mileage_check(check=check, confirmed=decision == "confirm", actor=request.user)
    except FollowupError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reading confirmed.") if decision == "confirm" else _("Reading rejected."))
    return redirect("followup:mileage_checks")


# --- Target lists ---------------------------------------------------------------------


@staff_view("followup.work_target_lists")
def target_lists(request: HttpRequest) -> HttpResponse:
    return render(request, "followup/target_lists.html", {"lists": selectors.TARGET_LISTS.values()})


def _target_list_page(request, target_list, *, outreach_form=None, status=200) -> HttpResponse:
    form = SiteFilterForm(request.GET or None, user=request.user)
    site = form.cleaned_data.get("site") if form.is_valid() else None
    vehicles = selectors.target_list_vehicles(user=request.user, target_list=target_list, now=timezone.now(), site=site)
    page = _page(request, vehicles)
    selectors.attach_consents(page.object_list)
    context = {
        "target_list": target_list,
        "form": form,
        "page": page,
        "outreach_form": outreach_form or OutreachForm(user=request.user, initial={"title": target_list.label, "site": site}),
    }
    return render(request, "followup/target_list.html", context, status=400 if form.is_bound and not form.is_valid() else status)


@staff_view("followup.work_target_lists")
def target_list(request: HttpRequest, key: str) -> HttpResponse:
    return _target_list_page(request, selectors.TARGET_LISTS[key])


@require_POST
@staff_view("followup.work_target_lists", "followup.add_calltask")
def target_list_call(request: HttpRequest, key: str, vehicle_pk: int) -> HttpResponse:
    selected = selectors.TARGET_LISTS[key]
    vehicles = Vehicle.objects.filter(owner__isnull=False).select_related("owner__site")
    vehicle = get_for_user(vehicles, request.user, "owner__site", pk=vehicle_pk)
    task = services.call_from_list(target_list=selected.key, vehicle=vehicle, actor=request.user)
    return redirect(task)


@require_POST
@staff_view("followup.work_target_lists", "followup.add_outreachcampaign")
def target_list_send(request: HttpRequest, key: str) -> HttpResponse:
    selected = selectors.TARGET_LISTS[key]
    form = OutreachForm(request.POST, user=request.user)
    if form.is_valid():
        site = form.cleaned_data["site"]
        vehicles = selectors.target_list_vehicles(user=request.user, target_list=selected, now=timezone.now(), site=site)
        try:
            _campaign, queued = services.send_outreach(
                site=site,
                target_list=selected.key,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                vehicles=vehicles,
                actor=request.user,
            )
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("%(count)s messages queued; customers without consent were left out.") % {"count": format_number(queued)}
            )
            return redirect(f"followup:list_{key}")
    return _target_list_page(request, selected, outreach_form=form, status=400)


# --- The customer's rating and survey pages (signed links, no login) --------------------------

# source: (token purpose, link lifetime)
SATISFACTION_LINKS = {
    SatisfactionAnswer.Source.QUICK_TOUCH: (services.QUICK_TOUCH_PURPOSE, services.QUICK_TOUCH_LINK_AGE),
    SatisfactionAnswer.Source.SURVEY: (services.SURVEY_PURPOSE, services.SURVEY_LINK_AGE),
}


def _linked_followup(token: str, source: str) -> VisitFollowup:
    purpose, max_age = SATISFACTION_LINKS[source]
    pk = read_token(token, purpose=purpose, max_age=max_age)
    followup = VisitFollowup.objects.select_related("site", "customer", "vehicle").filter(pk=pk).first()
    if followup is None:
        raise LinkError("invalid")
    return followup


@login_not_required
def satisfaction_page(request: HttpRequest, token: str, source: str) -> HttpResponse:
    """Mobile-first, in the customer's language: the quick touch's one-tap rating (then optional remarks),
    or the short survey (satisfaction, would-recommend, remarks)."""
    try:
        followup = _linked_followup(token, source)
    except LinkError as error:
        return render(request, "followup/public_link_error.html", {"expired": str(error) == "expired"}, status=400)
    with visitor_locale(request, site=followup.site, customer=followup.customer):
        return _satisfaction_page(request, followup, source)


def _satisfaction_page(request: HttpRequest, followup: VisitFollowup, source: str) -> HttpResponse:
    answer = SatisfactionAnswer.objects.filter(handover_id=followup.handover_id, source=source).first()
    quick = source == SatisfactionAnswer.Source.QUICK_TOUCH
    form = None
    if answer is None or quick:  # a survey answered is only thanked; a rating may get remarks added
        form_class = RemarksForm if answer is not None else RatingForm if quick else SurveyForm
        form = form_class(request.POST if request.method == "POST" else None)
    if form is not None and form.is_bound and form.is_valid():
        try:
            if answer is None:
                services.record_satisfaction_answer(followup=followup, source=source, **form.cleaned_data)
            else:
                services.add_satisfaction_remarks(answer=answer, text=form.cleaned_data["text"])
        except FollowupError as error:
            add_domain_error(form, error)
        else:
            return redirect(request.path)
    context = {
        "followup": followup,
        "answer": answer,
        "form": form,
        "quick": quick,
        "brand": brand_of(followup.site, followup.vehicle),
        "scores": range(1, 6),
    }
    return public_render(
        request,
        "followup/satisfaction.html",
        context,
        site=followup.site,
        customer=followup.customer,
        status=400 if form is not None and form.is_bound else 200,
    )

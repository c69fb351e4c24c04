"""Message log, inbox of replies, template editor, and Twilio's webhooks."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from aftersales.accounts.permissions import get_for_user, staff_view, visible_to
from aftersales.customers.models import Customer
from aftersales.lib.nul_bytes import raw_form

from . import selectors, services
from .catalogue import MARKETING_TYPES, MESSAGE_TYPES, sample_context, sample_site
from .forms import MessageFilterForm, MessageTemplateForm
from .models import InboundMessage, MessageChannel, MessageTemplate

LOG_PAGE_SIZE = 50


def _filtered_log(request, *, customer=None, sites=None):
    form = MessageFilterForm(request.GET or None, sites=sites)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = visible_to(
        selectors.list_messages(
            customer=customer,
            site=filters.get("site"),
            status=filters.get("status"),
            channel=filters.get("channel"),
            template=filters.get("template"),
        ),
        request.user,
    )
    page = Paginator(queryset, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page


@staff_view("messaging.view_outboxmessage")
def message_log(request):
    form, page = _filtered_log(request, sites=request.user.visible_sites())
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "messaging/log.html", {"form": form, "messages_page": page}, status=status)


@staff_view("messaging.view_outboxmessage", "customers.view_customer")
def customer_messages(request, customer_id: int):
    customer = get_for_user(Customer.objects.select_related("site"), request.user, pk=customer_id)
    form, page = _filtered_log(request, customer=customer)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "messaging/customer_log.html", {"form": form, "messages_page": page, "customer": customer}, status=status)


@staff_view("messaging.view_outboxmessage")
def message_detail(request, pk: int):
    message = get_for_user(selectors.message_detail_queryset(), request.user, pk=pk)
    return render(request, "messaging/detail.html", {"message": message})


@staff_view("messaging.view_inboundmessage")
def inbox(request):
    include_handled = request.GET.get("all") == "1"
    replies = selectors.list_inbound(sites=request.user.visible_sites(), include_handled=include_handled)
    page = Paginator(replies, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/inbox.html", {"replies_page": page, "include_handled": include_handled})


@staff_view("messaging.change_inboundmessage")
@require_POST
def inbox_handle(request, pk: int):
    inbound = get_for_user(InboundMessage.objects.all(), request.user, pk=pk)
    services.mark_inbound_handled(inbound=inbound, actor=request.user)
    messages.success(request, _("Reply marked as handled."))
    return redirect("messaging:inbox")


@staff_view("messaging.change_messagetemplate")
def template_list(request):
    templates = MessageTemplate.objects.select_related("updated_by").order_by("key", "language")
    rows = [(key, label, [t for t in templates if t.key == key]) for key, (label, _variables) in MESSAGE_TYPES.items()]
    return render(request, "messaging/templates.html", {"rows": rows})


@staff_view("messaging.change_messagetemplate")
def template_edit(request, pk: int):
    template = get_object_or_404(MessageTemplate, pk=pk)
    form = MessageTemplateForm(request.POST or None, instance=MessageTemplate.objects.get(pk=template.pk))
    if request.method == "POST":
        if form.is_valid():
            services.update_message_template(template=template, data=form.cleaned_data, actor=request.user)
            messages.success(request, _("Template saved."))
            return redirect("messaging:template_edit", pk=pk)
        return render(request, "messaging/template_edit.html", _editor_context(request, template, form), status=400)
    return render(request, "messaging/template_edit.html", _editor_context(request, template, form))


@staff_view("messaging.change_messagetemplate")
@require_POST
def template_preview(request, pk: int):
    template = get_object_or_404(MessageTemplate, pk=pk)
    form = MessageTemplateForm(request.POST, instance=MessageTemplate.objects.get(pk=template.pk))
    # Always 200: htmx swaps the fragment in, errors included, while the manager types.
    return render(request, "messaging/_preview.html", _editor_context(request, template, form))


def _editor_context(request, template: MessageTemplate, form) -> dict:
    label, variables = MESSAGE_TYPES.get(template.key, (template.key, []))
    context = {"template": template, "form": form, "type_label": label, "variables": variables}
    if form.is_bound and not form.is_valid():
        return context
    draft = form.save(commit=False) if form.is_bound else template
    sample = sample_context(request.user.visible_sites().first() or sample_site())
    rendering = {"message_template": draft, "language": template.language, "context": sample, "marketing": template.key in MARKETING_TYPES}
    subject, text, html = services.render_message(channel=MessageChannel.EMAIL, **rendering)
    _subject, sms, _html = services.render_message(channel=MessageChannel.SMS, **rendering)
    context["preview"] = {"subject": subject, "text": text, "html": html, "sms": sms}
    return context


def _twilio_request_is_genuine(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    # Twilio signed the form as it sent it: checked on the raw form, request.POST has NUL bytes removed.
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, raw_form(request), signature)


@login_not_required
@csrf_exempt
@require_POST
def twilio_status(request):
    if not _twilio_request_is_genuine(request):
        return HttpResponseForbidden()
    message_id = request.GET.get("m", "")
    services.record_provider_status(
        message_id=int(message_id) if message_id.isdigit() else None,
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@login_not_required
@csrf_exempt
@require_POST
def twilio_inbound(request):
    if not _twilio_request_is_genuine(request):
        return HttpResponseForbidden()
    provider_id, from_number = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    if not provider_id or not from_number:
        return HttpResponseBadRequest("MessageSid and From are required")
    services.receive_sms(
        provider_id=provider_id[:64],
        from_number=from_number[:20],
        to_number=request.POST.get("To", "")[:20],
        body=request.POST.get("Body", ""),
    )
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml")

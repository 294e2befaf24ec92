"""The "БонусПлюс" window of an order (004 §§4–8) and "Информация о бонусах". Thin: each POST names one
step, calls one service and shows the next step; every BonusPlus error is a message on the same step."""

from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from integration.documents.models.orders import Order
from integration.exchange.jobs.runner import JobRefused
from integration.exchange.locks import entity_lock
from integration.exchange.messages import render, stored
from integration.exchange.permissions import user_may
from loyalty.bonusplus import binding, errors, order_calc, reserve
from loyalty.bonusplus.cashiers import require_cashier
from loyalty.bonusplus.factory import client_from_settings
from loyalty.bonusplus.hooks import queue_reserve
from loyalty.bonusplus.jobs import USE_BONUSPLUS
from loyalty.bonusplus.models import BonusPlusSettings, OrderBonus

CLIENT_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "gender", "email")


def _amount(raw) -> Decimal:
    try:
        return Decimal(str(raw or "0").replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise errors.DebitTooHigh(stored(gettext_noop("The number of bonuses must be a number."))) from None


def _allowed(request):
    if not user_may(request.user, USE_BONUSPLUS):
        raise PermissionDenied


def order_window(request, order_id):
    _allowed(request)
    order = get_object_or_404(Order, pk=order_id)
    settings_row = BonusPlusSettings.get_solo()
    bonus = OrderBonus.objects.filter(order=order).first()
    another = request.GET.get("new")  # "Another card"
    state = {"step": "calc" if bonus and bonus.card and not another else "find", "phone": "", "card": "", "form": {}}
    if request.method == "POST":
        state.update(phone=request.POST.get("phone", ""), card=request.POST.get("card", ""))
        try:
            cashier = require_cashier(request.user)  # 004 §1: told before anything is sent
            with client_from_settings(settings_row) as client:
                done = _step(request, client, order, settings_row, state, cashier)
            if done is not None:
                return done
        except errors.BonusPlusError as exc:
            messages.error(request, str(exc))
            state["step"] = request.POST.get("step") or state["step"]
        bonus = OrderBonus.objects.filter(order=order).first()
    if state["step"] == "code":  # the countdown goes on from when the code was sent, not from this page
        state["skip_in"] = binding.seconds_to_skip(state["phone"], settings_row)
    if bonus and bonus.card and state["step"] == "calc" and order_calc.is_stale(bonus):
        messages.warning(request, gettext("The order changed after the last calculation: calculate again."))
    context = {
        **admin.site.each_context(request), "title": gettext("BonusPlus"), "order": order, "bonus": bonus,
        "settings_row": settings_row, "opts": Order._meta, **state,
        "allowed": order_calc.allowed_debit(bonus) if bonus else 0,
        "order_url": reverse("admin:integration_order_change", args=[order.pk]),
        "genders": (("", "—"), ("male", gettext("Male")), ("female", gettext("Female"))),
    }
    return TemplateResponse(request, "admin/loyalty/bonusplus/window.html", context)


def _step(request, client, order, settings_row, state, cashier):
    """One step of the window; a response ends it, None shows ``state['step']``."""
    step, phone, card = request.POST.get("action"), state["phone"], state["card"]
    if step == "find":
        found = order_calc.find(client, phone=phone, card=card)
        if found.customer is None:
            state.update(step="ask_bind", phone=found.phone)
            return None
        order_calc.remember_card(order.pk, found.customer, card=found.card)
        _calculate(client, order, settings_row, request)
        state["step"] = "calc"
    elif step == "bind_yes":
        state["step"] = "bind_phone"
    elif step == "bind_phone":
        state.update(step="confirm_bind", phone=binding._phone(phone))
    elif step in ("bind_confirm", "resend_code"):
        begun = binding.begin(client, phone, settings_row)
        state.update(step="code" if begun.code_needed else "client", phone=begun.phone, skip_in=begun.skip_in)
        if not begun.code_needed:
            _prefill(client, state)
    elif step == "check_code":
        binding.confirm(client, phone, request.POST.get("code", ""))
        state["step"] = "client"
        _prefill(client, state)
    elif step == "skip_code":
        binding.skip(phone, settings_row)
        state["step"] = "client"
        _prefill(client, state)
    elif step == "edit_client":
        bonus = OrderBonus.objects.get(order=order)
        state.update(step="client", phone=bonus.phone, card=bonus.card)
        _prefill(client, state)
    elif step == "save_client":
        form = {name: request.POST.get(name, "").strip() for name in CLIENT_FIELDS}
        customer = binding.save_client(client, phone, card, form, settings_row, cashier=cashier)
        order_calc.remember_card(order.pk, customer, card=card)
        _calculate(client, order, settings_row, request)
        state["step"] = "calc"
    elif step == "calculate":
        _calculate(client, order, settings_row, request)
        state["step"] = "calc"
    elif step == "apply":
        use = request.POST.get("use_bonuses") == "on"
        requested = _amount(request.POST.get("amount"))
        with _reserve_freed(request, client, order):
            bonus = order_calc.apply(client, order.pk, settings_row.store, use_bonuses=use, requested=requested,
                                     user=request.user)
        messages.success(request, gettext("BonusPlus applied: %(total)s off the order as a manual discount.")
                         % {"total": bonus.total_discount})
        return HttpResponseRedirect(reverse("admin:integration_order_change", args=[order.pk]))
    return None


@contextmanager
def _reserve_freed(request, client, order):
    """A posted order's reserve lowers the balance BonusPlus calculates with: free it while calculating
    (holding the order's lock, so the reserve job waits), and queue it again afterwards, applied or not."""
    held = OrderBonus.objects.filter(order=order, reserved__gt=0).exists()
    try:
        with entity_lock(reserve.LOCK_ENTITY, order.pk):
            if held:
                reserve.release(client, order.pk, locked=True)
            yield
    finally:
        if held or order.posted:
            try:
                queue_reserve(order.pk)
            except JobRefused as exc:
                messages.warning(request, str(exc))


def _calculate(client, order, settings_row, request=None):
    with _reserve_freed(request, client, order):
        order_calc.calculate(client, order.pk, settings_row.store)


def _prefill(client, state):
    """004 §6: an existing phone opens the client form filled in."""
    customer = client.customer_by_phone(state["phone"]) or {}
    person = customer.get("person") or {}
    sex = {1: "male", 2: "female"}.get(person.get("sex"), "")
    state["form"] = {"last_name": person.get("ln", ""), "first_name": person.get("fn", ""),
                     "patronymic": person.get("mn", ""), "email": person.get("email", ""),
                     "birth_date": (person.get("birthDate") or "")[:10], "gender": sex}
    state["existing"] = bool(customer)


def order_info(request, order_id):
    _allowed(request)
    order = get_object_or_404(Order, pk=order_id)
    bonus = OrderBonus.objects.filter(order=order).first()
    # What the reserve and the purchase last said (stored by the worker, translated here)
    notes = {"reserve_note": render(bonus.reserve_message) if bonus and bonus.reserve_message else "",
             "purchase_note": render(bonus.purchase_message) if bonus and bonus.purchase_message else ""}
    context = {**admin.site.each_context(request), "title": gettext("Bonus details"), "order": order,
               "bonus": bonus, "opts": Order._meta, **notes,
               "order_url": reverse("admin:integration_order_change", args=[order.pk])}
    return TemplateResponse(request, "admin/loyalty/bonusplus/info.html", context)

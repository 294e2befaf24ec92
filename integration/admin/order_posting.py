"""The order page's "Post" / "Unpost" (Провести / Отменить проведение), as a button and a list action.

Both need the order's change permission; for a CRM-born order while "export order changes" is
on they also need "Can change records in RetailCRM" (posting sends the change), checked in
``export_posting`` and again where the export job is enqueued. An order with an empty state can
be neither posted nor saved by hand until a state is set (seed 000 §6).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext, gettext_lazy as _, ngettext
from django_object_actions import action

from integration.admin.buttons import requires
from integration.retailcrm.orders.export_posting import post_order, unpost_order

CHANGE_ORDER = "integration.change_order"


class OrderForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "state" in self.fields and not cleaned.get("state"):
            self.add_error("state", gettext("Set the order's state: an order without one cannot be saved."))
        return cleaned


class OrderPostingMixin:
    """Mixed into OrderAdmin before PermittedActions, PermittedButtons and DjangoObjectActions."""

    form = OrderForm
    change_actions = ("post_button", "unpost_button")
    actions = ("post_selected", "unpost_selected")

    @action(label=_("Post"), description=_("Post the order; a RetailCRM order's changes are then sent to RetailCRM"))
    @requires(CHANGE_ORDER)
    def post_button(self, request, obj):
        self._apply(request, [obj], post_order)
        return HttpResponseRedirect(request.path.rsplit("actions/", 1)[0])

    @action(label=_("Unpost"), description=_("Cancel the posting; a RetailCRM order is then cancelled there"))
    @requires(CHANGE_ORDER)
    def unpost_button(self, request, obj):
        self._apply(request, [obj], unpost_order)
        return HttpResponseRedirect(request.path.rsplit("actions/", 1)[0])

    @admin.action(description=_("Post the selected orders"))
    @requires(CHANGE_ORDER)
    def post_selected(self, request, queryset):
        self._apply(request, queryset, post_order)

    @admin.action(description=_("Unpost the selected orders"))
    @requires(CHANGE_ORDER)
    def unpost_selected(self, request, queryset):
        self._apply(request, queryset, unpost_order)

    def _apply(self, request, orders, service) -> None:
        done = 0
        for order in orders:
            try:
                if service(order, request.user):
                    done += 1
            except ValidationError as exc:
                messages.error(request, gettext("%(number)s: %(error)s") % {"number": order.number,
                                                                            "error": " ".join(exc.messages)})
            except PermissionDenied as exc:
                messages.error(request, str(exc))
        if done:
            messages.success(request, ngettext("%(count)d order done.", "%(count)d orders done.", done) % {"count": done})


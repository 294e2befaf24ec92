"""Post / Unpost for payment documents, sales and returns (admin actions, each naming its permission).

Posting needs the document's change permission; when the document's export mode is on, also the
export job's permission (checked before anything is posted, and again where the job is enqueued).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from integration.admin.buttons import requires
from integration.exchange.jobs import JobNotPermitted, JobRefused
from integration.exchange.messages import render
from integration.retailcrm.orders.outbox import post_document, unpost_document


def posting_actions(change_permission: str):
    """The two admin actions for a document model whose change permission is ``change_permission``."""

    @admin.action(description=_("Post"))
    @requires(change_permission)
    def post_selected(self, request, queryset):
        done = 0
        for document in queryset:
            try:
                post_document(document, user=request.user)
            except JobNotPermitted as exc:  # nothing of this document was posted
                self.message_user(request, str(exc), messages.ERROR)
                return
            except ValidationError as exc:
                self.message_user(request, f"{document}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            except JobRefused as exc:  # posted and marked; the export waits for the next run
                self.message_user(request, render(str(exc)), messages.WARNING)
            done += 1
        if done:
            self.message_user(request, _("Posted: %(count)d.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Unpost"))
    @requires(change_permission)
    def unpost_selected(self, request, queryset):
        done = sum(1 for document in queryset if unpost_document(document, user=request.user))
        self.message_user(request, _("Unposted: %(count)d.") % {"count": done}, messages.SUCCESS)

    return post_selected, unpost_selected


@admin.action(description=_("Create a return from the sale (not posted)"))
@requires("integration.add_return")
def make_return_drafts(modeladmin, request, queryset):
    """A return of everything sold and not yet returned; the operator edits its quantities and posts it."""
    from integration.documents.returns import make_return, returned, sold

    made = []
    for sale in queryset.select_related("order"):
        back = returned(sale.order)
        left = {line: quantity - back.get(line, 0) for line, quantity in sold(sale).items()}
        if any(quantity > 0 for quantity in left.values()):
            made.append(make_return(sale, left).number)
    if made:
        modeladmin.message_user(request, _("Returns created (not posted): %(numbers)s.") % {"numbers": ", ".join(made)},
                                messages.SUCCESS)
    else:
        modeladmin.message_user(request, _("Everything sold has already been returned."), messages.WARNING)

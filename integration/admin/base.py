from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs and mirrors the operator reads but never edits by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlainReferences:
    """Mixed into a document's admin or inline: its reference selects (state, organization, warehouse…) are
    bare selects. Django's pencil / plus / ✖ beside them would edit or delete the shared reference row itself
    from an order's page, changing every document that points at it; references are edited on their own pages."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
            widget.can_view_related = False
        return formfield

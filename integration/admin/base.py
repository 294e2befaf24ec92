from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs and mirrors the operator reads but never edits by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""A list filter of entity codes shown by their labels ("заказ"), not the stored codes (issue 16)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integration.exchange.entities import entity_choices


def entity_filter(parameter_name: str = "entity") -> type[admin.SimpleListFilter]:
    """The filter under the query parameter existing links use (``entity`` or ``entity__exact``)."""

    class EntityFilter(admin.SimpleListFilter):
        title = _("entity")

        def lookups(self, request, model_admin):
            codes = model_admin.model.objects.order_by().values_list("entity", flat=True).distinct()
            return entity_choices(codes)

        def queryset(self, request, queryset):
            return queryset.filter(entity=self.value()) if self.value() else queryset

    EntityFilter.parameter_name = parameter_name
    return EntityFilter

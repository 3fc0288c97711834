from django.contrib import admin

from funnel.models import Release


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Product releases, measured on the trends page by the funnel's conversion before and after."""

    list_display = ("date", "name", "version", "source")
    list_filter = ("source",)
    search_fields = ("name", "version", "note")
    date_hierarchy = "date"
    fields = ("date", "name", "note", "version", "source")
    readonly_fields = ("source",)

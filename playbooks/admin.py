from django.contrib import admin
from django.db import models

from playbooks.models import Resource, TaskTemplate


class TaskTemplateInline(admin.StackedInline):
    model = TaskTemplate
    fields = (("order", "title"), "description", "resources")
    autocomplete_fields = ("resources",)
    ordering = ("order",)
    extra = 0


class ResourceMilestoneInline(admin.TabularInline):
    model = Resource.milestones.through
    autocomplete_fields = ("resource",)
    extra = 0
    verbose_name = "resource"
    verbose_name_plural = "resources (content that helps)"


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "url", "stage_list")
    list_filter = ("kind", "stages", "milestones")
    search_fields = ("title", "url")
    filter_horizontal = ("stages", "milestones")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a URL typed without scheme is https

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages")

    @admin.display(description="stages")
    def stage_list(self, resource: Resource) -> str:
        return ", ".join(stage.name for stage in resource.stages.all()) or "—"


@admin.register(TaskTemplate)
class TaskTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "milestone", "order")
    list_select_related = ("milestone", "milestone__phase")
    list_filter = ("milestone",)
    search_fields = ("title",)
    ordering = ("milestone__phase__order", "milestone__order", "order")
    autocomplete_fields = ("milestone", "resources")

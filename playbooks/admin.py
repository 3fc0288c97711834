"""Task lists and content in admin. This app sits above the methodology and the buyer journey, so it is
where a resource is edited together with the stages and milestones it helps with, and where the milestone
page gains its task list."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db import transaction

from content.models import Resource
from core.admin import SharedChoicesInlineMixin
from journey.models import Stage
from milestones.admin import MilestoneAdmin
from milestones.models import Milestone
from playbooks.models import TaskTemplate


class TaskTemplateInline(SharedChoicesInlineMixin, admin.StackedInline):
    """A milestone's tasks, each with the resources it points to: the rows share one list of resources and
    their selections are prefetched, so the page's queries do not grow with its tasks."""

    model = TaskTemplate
    fields = (("order", "title"), "description", "resources")
    autocomplete_fields = ("resources",)
    shared_choice_fields = ("resources",)
    ordering = ("order",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("resources")


# The milestone page with its task list: the methodology's admin, extended from above.
admin.site.unregister(Milestone)


@admin.register(Milestone)
class MilestoneWithTasksAdmin(MilestoneAdmin):
    inlines = (*MilestoneAdmin.inlines, TaskTemplateInline)


class ResourceForm(forms.ModelForm):
    """A resource with the stages and milestones that point at it (those relations belong to the stage and
    the milestone, so the form sets them from this side)."""

    url = forms.URLField(max_length=500, assume_scheme="https")  # a URL typed without scheme is https
    stages = forms.ModelMultipleChoiceField(
        Stage.objects.order_by("order"),
        required=False,
        widget=FilteredSelectMultiple("stages", is_stacked=False),
        help_text="Buyer-journey stages this content helps in.",
    )
    milestones = forms.ModelMultipleChoiceField(
        Milestone.objects.in_sequence(),
        required=False,
        widget=FilteredSelectMultiple("milestones", is_stacked=False),
        help_text="Milestones this content trains for.",
    )

    class Meta:
        model = Resource
        fields = ("title", "kind", "url", "summary", "content_stage", "stages", "milestones")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("stages", list(self.instance.stages.all()))
            self.initial.setdefault("milestones", list(self.instance.milestones.all()))


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    form = ResourceForm
    list_display = ("title", "kind", "url", "stage_list")
    list_filter = ("kind", "stages", "milestones")
    search_fields = ("title", "url")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        with transaction.atomic():
            form.instance.stages.set(form.cleaned_data["stages"])
            form.instance.milestones.set(form.cleaned_data["milestones"])

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

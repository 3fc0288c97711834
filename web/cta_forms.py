"""The forms of the CTA pages: they read what a person typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from core.forms import row_id
from ctas.services.lifecycle import PEOPLE_OUTCOMES, REASON_MAX
from milestones.models import CTAType

OUTCOME_CHOICES = [(outcome.value, outcome.label) for outcome in PEOPLE_OUTCOMES]


class SnoozeForm(forms.Form):
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Snooze until")
    reason = forms.CharField(max_length=REASON_MAX, label="Why")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class BulkForm(forms.Form):
    """Several CTAs at once: snooze (until + reason), close (outcome + note), or assign (managers)."""

    action = forms.ChoiceField(choices=[("snooze", "Snooze"), ("close", "Close"), ("assign", "Assign")])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(required=False, max_length=REASON_MAX)
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, required=False)
    note = forms.CharField(required=False, max_length=2000)
    owner = forms.CharField(required=False, max_length=20)  # a CSM's id; blank: the pool

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the services act only on the CTAs the user may act on (or 404).
        self.fields["ids"].choices = [(value, value) for value in self.data.getlist("ids") if row_id(value)]


class CreateForm(forms.Form):
    cta_type = forms.ModelChoiceField(
        CTAType.objects.order_by("name"), to_field_name="slug", label="Type", empty_label=None
    )
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")
    reason = forms.CharField(required=False, max_length=REASON_MAX, label="Why")
    tasks = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Tasks, one per line", max_length=5000
    )


def first_error(form: forms.Form) -> str:
    """The form's first error, as one line for a message."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label or field}: {errors[0]}" if field != "__all__" else errors[0]
    return "The form is not valid."

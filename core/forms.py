"""Form fields shared by the admin forms, and reading a row id someone typed."""

from __future__ import annotations

from django import forms


class LinesField(forms.CharField):
    """A list of names edited as text, one per line: blank lines and repeats dropped, order kept."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 40})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def row_id(text: str) -> int | None:
    """A row id typed into a URL or a form, or None when it cannot be one (not digits, or past 64 bits:
    SQLite cannot even compare such a number)."""
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None

"""Render Django form widgets with USWDS classes and accessible descriptions."""

from django import forms, template

register = template.Library()

_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.ClearableFileInput: "usa-file-input",
}


@register.simple_tag
def usa_widget(bound_field):
    widget = bound_field.field.widget
    css = next((c for t, c in _CLASSES.items() if isinstance(widget, t)), "usa-input")
    attrs = {"class": css + (f" {css}--error" if bound_field.errors else "")}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.id_for_label}-hint")
    described += [
        f"{bound_field.id_for_label}-error-{i}" for i in range(1, len(bound_field.errors) + 1)
    ]
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)

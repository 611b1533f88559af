"""How the program pages write quantities: 40.00 hours is "40", 12.50 is "12.5"."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def quantity(value) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f")

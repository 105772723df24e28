"""Local formats (FORMAT_MODULE_PATH): Kazakh, which Django does not ship; Russian and English are Django's.

The month names below are marked here so that our catalogues (locale/) carry them: Django's own
Kazakh catalogue capitalises them ("25 Шілде"), while Kazakh writes months in lower case in a date.
"""

from django.utils.translation import pgettext_lazy

# The genitive ("alt. month") names that the "E" date format prints: "j E Y" is "25 июля 2021".
MONTHS_IN_DATES = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]

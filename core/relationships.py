"""Names of the join models Django makes for many-to-many fields, in the reader's language.

Django names such a model once, when the model class is built at import ("%(from)s-%(to)s
relationship" formatted on the spot), so it keeps the language active at start-up (LANGUAGE_CODE)
and the lower-case class names: a Kazakh or English delete page of a user said "Связь user-group".
`name_join_models()` (core's ready) gives each of them a lazy name built from the two models'
own verbose names, translated whenever it is shown.
"""

from django.apps import apps
from django.utils.functional import lazy
from django.utils.translation import gettext


def _relationship_name(from_model, to_model, plural):
    words = {"from": from_model._meta.verbose_name, "to": to_model._meta.verbose_name}
    if plural:
        return gettext("%(from)s-%(to)s relationships") % words
    return gettext("%(from)s-%(to)s relationship") % words


relationship_name = lazy(_relationship_name, str)


def name_join_models():
    for model in apps.get_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue
            through._meta.verbose_name = relationship_name(model, field.related_model, False)
            through._meta.verbose_name_plural = relationship_name(model, field.related_model, True)

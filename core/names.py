"""Names kept in Kazakh, Russian and (optionally) English, shown in the active language."""

from django.utils.translation import get_language


def in_active_language(name_kk, name_ru, name_en=""):
    """The name in the active language, falling back to Russian, then Kazakh."""
    lang = (get_language() or "ru")[:2]
    if lang == "kk":
        return name_kk or name_ru
    if lang == "en":
        return name_en or name_ru or name_kk
    return name_ru or name_kk


class TrilingualNameMixin:
    """For models with name_kk, name_ru and name_en fields: `.name` in the active language."""

    @property
    def name(self):
        return in_active_language(self.name_kk, self.name_ru, getattr(self, "name_en", ""))

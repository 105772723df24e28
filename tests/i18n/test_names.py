"""Names of units, parties and elections in the active language, falling back to another one."""

import pytest
from django.utils import translation

from registry.models import Election, Party
from territory.models import AdminUnit

NAMES = {"name_kk": "Қарағанды облысы", "name_ru": "Карагандинская область", "name_en": "Karaganda Region"}


@pytest.mark.parametrize("model", [AdminUnit, Party, Election])
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("name_kk", "name_ru", "name_en"), {"kk": "name_kk", "ru": "name_ru", "en": "name_en"}),
        (("name_ru",), {"kk": "name_ru", "ru": "name_ru", "en": "name_ru"}),
        (("name_kk",), {"kk": "name_kk", "ru": "name_kk", "en": "name_kk"}),
    ],
)
def test_name_in_the_active_language_or_the_other(model, given, expected):
    obj = model(**{field: (NAMES[field] if field in given else "") for field in NAMES})
    for language, field in expected.items():
        with translation.override(language):
            assert obj.name == NAMES[field], (model.__name__, language)

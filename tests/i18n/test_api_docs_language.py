"""The API's OpenAPI schema and its docs pages in the request's language (issue 19): descriptions are
lazy translations, the schema is generated per request (never kept in the language of the first one),
and the docstrings that describe operations and components are in the catalogues."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.test import APIClient

from api.schema import DOCSTRINGS, translated

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[\u0400-\u04ff]")
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
RUSSIAN_ONLY = re.compile("[ёъ]|област|район|выбор|голос|участ|протокол|избират|основа", re.IGNORECASE)

TITLE = {
    "kk": "electadmin аудиторларға арналған API",
    "ru": "API electadmin для аудиторов",
    "en": "electadmin auditors' API",
}
FORMAT = {
    "kk": "Жауап пішімі: `json` (әдепкі) немесе `csv` (тізімдер беттерге бөлінбей, ағынмен беріледі).",
    "ru": "Формат ответа: `json` (по умолчанию) или `csv` (списки передаются потоком, без разбивки на страницы).",
    "en": "Response format: `json` (default) or `csv` (lists are streamed, unpaginated).",
}
REGION = {  # a filter's help text (api/filters.py)
    "kk": "ӘАОЖ бойынша облыс: 2 таңбалы префиксі (мысалы, 35) немесе 9 таңбалы коды.",
    "ru": "Область по КАТО: 2-значный префикс (например, 35) или 9-значный код.",
    "en": "Region by KATO: its 2-digit prefix (e.g. 35) or its 9-digit code.",
}
UNITS = {  # an operation's description (a viewset's docstring)
    "kk": "ӘАОЖ (КАТО) иерархиясының әкімшілік-аумақтық бірліктері.",
    "ru": "Административно-территориальные единицы иерархии КАТО.",
    "en": "Administrative units of the KATO hierarchy.",
}


def schema(client, language, how):
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get("/api/schema/?format=json")
    elif how == "header":
        response = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE=language)
    else:
        response = client.get(f"/api/schema/?format=json&lang={language}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="electadmin-api.json"'  # ASCII in every language
    return response.json()


def texts(node):
    """Every description, title and summary of the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "title", "summary") and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value)


def parameter(data, path, name):
    return next(p for p in data["paths"][path]["get"]["parameters"] if p["name"] == name)


@pytest.mark.parametrize("how", ["cookie", "header", "query"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_schema_in_each_language(language, how):
    data = schema(APIClient(), language, how)
    assert data["info"]["title"] == TITLE[language]
    assert parameter(data, "/api/v1/units/", "format")["description"] == FORMAT[language]
    assert parameter(data, "/api/v1/contests/", "region")["description"] == REGION[language]
    assert data["paths"]["/api/v1/units/"]["get"]["description"] == UNITS[language]
    described = [text for text in texts(data) if text.strip()]
    assert len(described) > 200
    if language == "en":
        assert [t for t in described if CYRILLIC.search(t)] == []
    else:
        # Translated through and through: no description left in English only ...
        assert [t for t in described if not CYRILLIC.search(t)] == []
        # ... and none in the other language.
        other = KAZAKH_LETTERS if language == "ru" else RUSSIAN_ONLY
        assert [t for t in described if other.search(t)] == []


def test_one_process_serves_each_language_in_turn():
    """The schema is not kept from the first request: ru, then en, then kk, then ru again."""
    client = APIClient()
    for language in ("ru", "en", "kk", "ru"):
        data = schema(client, language, "header")
        assert parameter(data, "/api/v1/contests/", "region")["description"] == REGION[language]


def test_every_docstring_that_describes_the_api_is_in_the_catalogue():
    """Operation and component descriptions come from docstrings: each is listed in api.schema.DOCSTRINGS
    (so that makemessages extracts it); a new viewset or serializer without its entry fails here."""
    data = schema(APIClient(), "en", "header")
    operations = {op["description"] for path in data["paths"].values() for op in path.values() if op.get("description")}
    components = {
        c["description"] for c in data["components"]["schemas"].values() if "properties" in c and c.get("description")
    }
    assert operations | components <= set(DOCSTRINGS)
    assert len(operations) == 17 and len(components) == 5


def test_an_empty_docstring_stays_empty():
    with translation.override("ru"):
        assert translated("") == ""  # gettext("") would be the catalogue's header
        assert translated("Registered political parties.") == "Зарегистрированные политические партии."


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_docs_pages_are_titled_in_the_language(client, page, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(page).content.decode()
    assert f"<title>{TITLE[language]}</title>".replace("'", "&#x27;") in html


HEADS = {
    "kk": "1: экспорттағыдай, әр тізбектің соңғы буынын қосу [тізбек, ұзындығы, соңғы буынның хэші].",
    "ru": "1: добавить последнее звено каждой цепочки [цепочка, длина, хэш последнего звена], как при экспорте.",
    "en": "1: add every chain's head [chain, length, head hash], as the export does.",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_checkpoint_heads_parameter_is_described_in_the_readers_language(client, in_language, language):
    """It was rendered once, when the module was imported (in the default language, Russian)."""
    client = in_language(language)
    client.force_login(get_user_model().objects.create_user("reader", password="x"))
    schema = client.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/audit-checkpoints/{id}/"]["get"]["parameters"]
    (heads,) = [parameter for parameter in parameters if parameter["name"] == "heads"]
    assert heads["description"] == HEADS[language]

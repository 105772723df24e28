"""API error bodies in the language of the request (Accept-Language): the detail is for people."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

UNKNOWN_TOKEN = {"kk": "Белгісіз токен.", "ru": "Неизвестный токен.", "en": "Unknown token."}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_api_error_detail_in_each_language(language):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token ea_" + "x" * 43)
    response = client.get("/api/v1/units/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_invalid"  # stable, never translated
    assert body["detail"] == UNKNOWN_TOKEN[language]


def test_invalid_parameters_are_named_in_russian():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/units/", {"page_size": "0"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Неверные параметры запроса: page_size."
    assert body["errors"]["page_size"] == ["Должно быть целым числом от 1 до 1000."]

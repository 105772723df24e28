"""Choosing a language: POST to set_language (CSRF), back to the same page, remembered in a cookie."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_choosing_russian_returns_to_the_page_and_is_remembered(world, client):
    client.force_login(world.clerk1)
    page = reverse("results:entry", args=[world.protocol.pk])
    response = client.post(reverse("set_language"), {"language": "ru", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600  # kept across browser sessions
    # Every later page, in a browser asking for English, stays Russian.
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Протокол участковой избирательной комиссии" in html

    client.post(reverse("set_language"), {"language": "kk", "next": page})
    assert "Учаскелік сайлау комиссиясының хаттамасы" in client.get(page).content.decode()


def test_the_switch_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clerk1)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/entry/"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_unknown_language_or_a_foreign_next_is_ignored(world, client):
    client.force_login(world.clerk1)
    client.post(reverse("set_language"), {"language": "de", "next": "/entry/"})
    html = client.get(reverse("results:my_stations"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="ru">' in html  # not one of LANGUAGES: the default, Russian
    response = client.post(reverse("set_language"), {"language": "ru", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_without_a_choice_the_browser_language_decides_and_russian_is_the_default(world, client):
    client.force_login(world.clerk1)
    page = reverse("results:my_stations")
    assert "Менің сайлау учаскелерім" in client.get(page, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Мои избирательные участки" in client.get(page, HTTP_ACCEPT_LANGUAGE="de").content.decode()

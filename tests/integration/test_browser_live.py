"""In Chromium: the dashboard's live figures change without a reload when a protocol is certified
and aggregated (the "behind" line is tested on the endpoint: here the on-commit aggregation may
catch up before the page asks), and say "connection lost, retrying" in the page's language when the endpoint fails
(static/results/live.js, with its period shortened to one second)."""

import pytest

from tests.browser import chromium, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    with chromium(console_log=True) as driver:
        yield driver


@pytest.fixture
def world(transactional_db, monkeypatch):
    from registry.models import Election
    from results import live
    from results.models import Protocol
    from results.services import create_protocols_for_contest
    from tests.results.factories import World

    monkeypatch.setattr(live, "POLL_SECONDS", 1)
    w = World()
    create_protocols_for_contest(w.contest, w.cec)
    create_protocols_for_contest(w.other_contest, w.cec)
    Election.objects.filter(pk=w.election.pk).update(status=Election.Status.COUNTING)
    w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    return w


def _open(driver, live_server, w, language):
    from selenium.webdriver.common.by import By

    driver.get(f"{live_server.url}/admin/login/")
    driver.add_cookie({"name": "django_language", "value": language})
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys("cec")
    driver.find_element(By.NAME, "password").send_keys("pw")
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    until(driver, lambda d: "/admin/login/" not in d.current_url, 15)
    driver.get(f"{live_server.url}/admin/results/dashboard/{w.election.pk}/")


def _text(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector).get_attribute("textContent")


def test_figures_refresh_without_a_reload(browser, live_server, world):
    from core import clock
    from results.aggregation import recompute
    from results.services import certify_protocol
    from tests.results.factories import COUNTING
    from tests.results.helpers import verified

    _open(browser, live_server, world, "ru")
    assert _text(browser, '[data-live="certified"]') == "0"
    assert _text(browser, "[data-live-computed]") == "Итоги ещё не рассчитаны."
    browser.execute_script("window.notReloaded = true;")
    with clock.frozen(COUNTING):
        certify_protocol(verified(world), world.tec)
    until(browser, lambda d: _text(d, '[data-live="certified"]') == "1", 15)
    with clock.frozen(COUNTING):
        recompute(world.election)  # the on-commit aggregation may have run already: same rows
    until(browser, lambda d: _text(d, '[data-live="turnout_percent"]') == "75,00", 15)
    until(browser, lambda d: _text(d, "[data-live-behind]") == "", 15)
    assert _text(browser, "[data-live-computed]") == "Итоги рассчитаны 26 июля 2021 г. в 03:00:00 (Asia/Almaty)."
    assert browser.execute_script("return window.notReloaded === true;")
    refused = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []


def test_connection_lost_in_the_pages_language(browser, live_server, world, monkeypatch):
    from results import live

    _open(browser, live_server, world, "kk")

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(live, "live_figures", broken)
    until(browser, lambda d: _text(d, "[data-live-status]") == "Байланыс үзілді, қайта қосылуда…", 15)
    monkeypatch.undo()
    # The second failure waits 2 s, the next try succeeds and the message goes.
    until(browser, lambda d: _text(d, "[data-live-status]") == "", 20)

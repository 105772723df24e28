"""Browser: clerk1 enters a protocol, clerk2 enters it with one difference, chair1 resolves, the TEC certifies.

Drives Debian's chromium through chromedriver (Selenium) against pytest-django's live server,
with the keyboard only in the entry form (autofocus, Tab order). Screenshots of the entry form
and the discrepancy page go to tests/artifacts/ (git-ignored; CI keeps them as artefacts).
"""

import pathlib

import pytest

from core import clock
from results.models import Protocol, ProtocolState
from results.services import create_protocols_for_contest
from tests.browser import chromium, until, wait_for_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def browser():
    with chromium(window=(1280, 1800)) as driver:
        yield driver


@pytest.fixture
def world(transactional_db):
    from tests.results.factories import COUNTING, World

    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


def wait_for_focus(driver, name):
    """Autofocus is applied once the page has loaded: wait for it, then return the focused field."""
    until(driver, lambda d: d.switch_to.active_element.get_attribute("name") == name, 10)
    return driver.switch_to.active_element


def log_in(driver, live_server, username):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/entry/login/")
    active = wait_for_focus(driver, "username")  # the user name field has autofocus
    active.send_keys(username, Keys.TAB)
    driver.switch_to.active_element.send_keys("pw", Keys.ENTER)
    until(driver, lambda d: "/entry/login/" not in d.current_url, 15)
    assert driver.find_element(By.TAG_NAME, "h1")


def type_protocol(driver, world, overrides=None):
    """Fill the form from the keyboard: the first field has focus, Tab moves through the paper order."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    values = world.values(**(overrides or {}))
    order = [
        "voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused",
        "found_stationary", "found_mobile", "invalid",
    ]  # fmt: skip
    sequence = [values[name] for name in order] + [values["votes"][str(c.pk)] for c in (world.c1, world.c2, world.c3)]
    expected_names = [*order, *(f"vote_{c.pk}" for c in (world.c1, world.c2, world.c3))]
    wait_for_focus(driver, "voters")
    for name, value in zip(expected_names, sequence, strict=True):
        active = driver.switch_to.active_element
        assert active.get_attribute("name") == name
        active.send_keys(value, Keys.TAB)
    assert driver.find_element(By.ID, "live-controls").text == ""  # consistent: nothing flagged live
    # After the last figure: "Finish entry" ("Save draft" comes after it, never first).
    assert driver.switch_to.active_element.get_attribute("id") == "finish-entry"


def wait_for_success(driver):
    """Wait until the page after a POST shows its success message (the redirect has completed)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    until(driver, ec.presence_of_element_located((By.CSS_SELECTOR, ".msg-success")), 20)


def test_double_entry_discrepancy_resolution_and_certification(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ARTIFACTS.mkdir(exist_ok=True)
    entry_url = f"{live_server.url}/entry/protocol/{world.protocol.pk}/"

    # clerk1: the first entry.
    log_in(browser, live_server, "clerk1")
    browser.find_element(By.ID, f"open-{world.protocol.pk}").send_keys(Keys.ENTER)
    assert browser.current_url == entry_url
    type_protocol(browser, world)
    browser.save_screenshot(str(ARTIFACTS / "entry_form.png"))
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_success(browser)
    assert browser.current_url.endswith("/entry/")
    assert Protocol.objects.get(pk=world.protocol.pk).state == ProtocolState.FIRST_ENTRY_DONE

    # clerk2: a blank form (never clerk1's numbers), one figure different.
    log_in(browser, live_server, "clerk2")
    browser.get(entry_url)
    assert browser.find_element(By.NAME, "voters").get_attribute("value") == ""
    type_protocol(browser, world, {"spoiled": "11", "unused": "239"})
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_success(browser)
    assert Protocol.objects.get(pk=world.protocol.pk).state == ProtocolState.IN_DISCREPANCY

    # chair1: both entries side by side, the differing rows highlighted; keep entry 1.
    log_in(browser, live_server, "chair1")
    browser.get(f"{live_server.url}/supervise/")
    browser.find_element(By.ID, f"resolve-{world.protocol.pk}").click()
    differing = browser.find_elements(By.CSS_SELECTOR, "#comparison tr.differ")
    assert [row.get_attribute("data-path") for row in differing] == ["spoiled", "unused"]
    browser.save_screenshot(str(ARTIFACTS / "discrepancy.png"))
    browser.find_element(By.ID, "choice-keep_1").send_keys(Keys.SPACE)
    browser.find_element(By.ID, "keep-reason").send_keys("the paper says 10")
    browser.find_element(By.ID, "review-choice").click()
    browser.find_element(By.ID, "confirm-resolution").click()  # the review page: an explicit confirmation
    wait_for_success(browser)
    protocol = Protocol.objects.get(pk=world.protocol.pk)
    assert (protocol.state, protocol.spoiled) == (ProtocolState.VERIFIED, 10)

    # The district TEC certifies it.
    log_in(browser, live_server, "tec-district")
    browser.get(f"{live_server.url}/tec/protocols/?state=verified")
    browser.find_element(By.ID, f"certify-{world.protocol.pk}").click()
    wait_for_success(browser)
    assert Protocol.objects.get(pk=world.protocol.pk).state == ProtocolState.CERTIFIED
    assert (ARTIFACTS / "entry_form.png").stat().st_size > 0
    assert (ARTIFACTS / "discrepancy.png").stat().st_size > 0


def test_live_controls_flag_a_broken_relation_while_typing(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    log_in(browser, live_server, "clerk1")
    browser.get(f"{live_server.url}/entry/protocol/{world.protocol.pk}/")
    wait_for_focus(browser, "voters")
    for value in ("1000", "999", "700", "50", "10", "240"):  # R = 999 but Is + Im + S + U = 1000
        browser.switch_to.active_element.send_keys(value, Keys.TAB)
    assert "Is + Im + S + U" in browser.find_element(By.ID, "live-controls").text
    assert Protocol.objects.get(pk=world.protocol.pk).state == ProtocolState.EMPTY  # nothing saved


def test_entry_in_russian_chosen_with_the_switcher(browser, live_server, world):
    """The clerk picks Russian in the header; the choice (a cookie) holds on the entry form and after saving."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    log_in(browser, live_server, "clerk1")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"  # headless chromium asks for en
    browser.find_element(By.CSS_SELECTOR, ".language-switcher button[value=ru]").click()
    wait_for_language(browser, "ru")
    assert browser.current_url.endswith("/entry/")  # back on the same page
    assert browser.find_element(By.TAG_NAME, "h1").text == "Мои избирательные участки"

    browser.get(f"{live_server.url}/entry/protocol/{world.protocol.pk}/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Протокол участковой избирательной комиссии"
    assert browser.find_element(By.ID, "finish-entry").text == "Завершить ввод"
    type_protocol(browser, world)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_success(browser)
    assert "Ввод завершён" in browser.find_element(By.CSS_SELECTOR, ".msg-success").text
    assert Protocol.objects.get(pk=world.protocol.pk).state == ProtocolState.FIRST_ENTRY_DONE

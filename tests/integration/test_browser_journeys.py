"""Browser, keyboard only: the clerks' and the chair's journeys of issue 15 in Debian's chromium.

clerk1 makes the first entry with a deliberate arithmetic error, which the server refuses (the
typed figures kept as a draft, the cursor on the first field in fault) and clerk1 corrects; clerk2
makes the second entry with one difference; chair1 chooses an entry, reviews what becomes official
and confirms. Enter in any field of the entry and resolution pages never submits a decision; a
reload in the middle of an entry offers the typed figures back; a form sent twice makes one entry.
Screenshots of every page in kk, ru and en go to tests/artifacts/ (git-ignored).

One browser for the module; the data of each test is set up through the services.
"""

import pathlib

import pytest
from django.db import connection

from core import clock
from results.models import Protocol, ProtocolEntry, ProtocolState
from results.services import create_protocols_for_contest, save_entry
from tests.browser import chromium, until, wait_for_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts"
LANGUAGES = ("kk", "ru", "en")
FIGURES = [
    "voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused",
    "found_stationary", "found_mobile", "invalid",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    with chromium(window=(1280, 1800), lang="en", implicit_wait=2) as driver:
        yield driver


@pytest.fixture
def world(transactional_db):
    from tests.results.factories import COUNTING, World

    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


def fresh(protocol):
    return Protocol.objects.get(pk=protocol.pk)


def active(driver):
    return driver.switch_to.active_element


def active_is(driver, element_id):
    until(driver, lambda d: active(d).get_attribute("id") == element_id)
    return active(driver)


def mark_page(driver):
    """A marker that a new page load removes: to tell that a key press submitted nothing."""
    driver.execute_script("window.__stayed = true;")


def stayed(driver):
    return driver.execute_script("return window.__stayed === true;")


def log_in(driver, live_server, username, language="en"):
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/entry/login/")
    driver.add_cookie({"name": "django_language", "value": language, "path": "/"})
    driver.get(f"{live_server.url}/entry/login/")
    until(driver, lambda d: active(d).get_attribute("name") == "username")
    active(driver).send_keys(username, Keys.TAB)
    active(driver).send_keys("pw", Keys.ENTER)
    until(driver, lambda d: "/entry/login/" not in d.current_url, 15)


def set_language(driver, language):
    driver.delete_cookie("django_language")
    driver.add_cookie({"name": "django_language", "value": language, "path": "/"})


def screenshots(driver, name, url=None, before=None):
    """The page in kk, ru and en (GET `url`, or the current one; `before` runs after each load)."""
    ARTIFACTS.mkdir(exist_ok=True)
    url = url or driver.current_url
    for language in LANGUAGES:
        set_language(driver, language)
        driver.get(url)
        wait_for_language(driver, language)
        if before:
            before()
        path = ARTIFACTS / f"{name}-{language}.png"
        driver.save_screenshot(str(path))
        assert path.stat().st_size > 0
    set_language(driver, "en")


def success_message(driver):
    from selenium.webdriver.common.by import By

    return until(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".msg-success"), 20).text


def type_figures(driver, sequence, names):
    """Type each figure and press Enter, which moves the cursor to the next field."""
    from selenium.webdriver.common.keys import Keys

    for name, value in zip(names, sequence, strict=True):
        assert active(driver).get_attribute("name") == name
        active(driver).send_keys(value, Keys.ENTER)


def entry_sequence(world, **overrides):
    values = world.values(**overrides)
    names = [*FIGURES, *(f"vote_{c.pk}" for c in (world.c1, world.c2, world.c3))]
    return [values[n] for n in FIGURES] + [values["votes"][str(c.pk)] for c in (world.c1, world.c2, world.c3)], names


def test_keyboard_journey_first_entry_corrected_second_entry_resolution(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    entry_url = f"{live_server.url}/entry/protocol/{world.protocol.pk}/"

    # clerk1: the first entry with R = 999 (Is + Im + S + U = 1000).
    log_in(browser, live_server, "clerk1")
    screenshots(browser, "my_stations")
    browser.find_element(By.ID, f"open-{world.protocol.pk}").send_keys(Keys.ENTER)
    until(browser, lambda d: d.current_url == entry_url)
    screenshots(browser, "entry_form", before=lambda: active_is(browser, "f-voters"))
    sequence, names = entry_sequence(world, ballots_received="999")
    type_figures(browser, sequence, names)
    assert "Is + Im + S + U" in browser.find_element(By.ID, "live-controls").text
    assert active(browser).get_attribute("id") == "finish-entry"  # Enter after the last figure
    active(browser).send_keys(Keys.ENTER)
    # Refused: the figures as typed, the relation once at the top, the cursor on R; a draft kept.
    field = active_is(browser, "f-ballots_received")
    assert field.get_attribute("value") == "999"
    assert browser.find_element(By.NAME, "spoiled").get_attribute("value") == "10"
    assert len(browser.find_elements(By.CSS_SELECTOR, '#summary [data-code="ballots.balance"]')) == 1
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_IN_PROGRESS
    screenshots(browser, "entry_form_refused", url=entry_url)  # the draft, checked again on GET
    active_is(browser, "f-ballots_received").send_keys("1000")  # the figure is selected on focus
    for _ in range(len(names) - 1):
        active(browser).send_keys(Keys.ENTER)
    assert active(browser).get_attribute("id") == "finish-entry"
    active(browser).send_keys(Keys.ENTER)
    assert success_message(browser).startswith("Entry finished.")
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE

    # clerk2: a blank form, one difference (S 11, U 239).
    log_in(browser, live_server, "clerk2")
    browser.get(entry_url)
    active_is(browser, "f-voters")
    assert browser.find_element(By.NAME, "spoiled").get_attribute("value") == ""
    sequence, names = entry_sequence(world, spoiled="11", unused="239")
    type_figures(browser, sequence, names)
    active(browser).send_keys(Keys.ENTER)
    success_message(browser)
    assert fresh(world.protocol).state == ProtocolState.IN_DISCREPANCY

    # chair1: nothing chosen, nothing focused; Enter in the choices or the reason decides nothing.
    log_in(browser, live_server, "chair1")
    screenshots(browser, "discrepancies", url=f"{live_server.url}/supervise/")
    browser.find_element(By.ID, f"resolve-{world.protocol.pk}").send_keys(Keys.ENTER)
    until(browser, lambda d: "/supervise/protocol/" in d.current_url)
    compare_url = browser.current_url
    screenshots(browser, "discrepancy")
    assert active(browser).tag_name == "body"
    assert [r.get_attribute("data-path") for r in browser.find_elements(By.CSS_SELECTOR, "#comparison tr.differ")] == [
        "spoiled",
        "unused",
    ]
    assert not any(r.is_selected() for r in browser.find_elements(By.NAME, "choice"))
    mark_page(browser)
    browser.find_element(By.ID, "choice-keep_1").send_keys(Keys.SPACE)
    active(browser).send_keys(Keys.ENTER)
    assert active(browser).get_attribute("id") == "keep-reason"  # Enter in a choice: on to the reason
    active(browser).send_keys("the paper says 10", Keys.ENTER, "spoiled ballots")
    assert stayed(browser) and fresh(world.protocol).state == ProtocolState.IN_DISCREPANCY
    active(browser).send_keys(Keys.TAB)
    assert active(browser).get_attribute("id") == "review-choice"
    active(browser).send_keys(Keys.ENTER)
    # The review: what becomes official, the changed figures highlighted; the cursor on "Back".
    active_is(browser, "back-to-compare")
    assert "keep entry 1 by clerk1" in browser.find_element(By.ID, "decision").text
    changed = browser.find_elements(By.CSS_SELECTOR, "#review tr.changes")
    assert [r.get_attribute("data-path") for r in changed] == ["spoiled", "unused"]
    assert fresh(world.protocol).state == ProtocolState.IN_DISCREPANCY
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "resolve_review-en.png"))
    active(browser).send_keys(Keys.TAB)
    assert active(browser).get_attribute("id") == "confirm-resolution"
    active(browser).send_keys(Keys.ENTER)
    assert success_message(browser) == "Entry 1 by clerk1 kept: its figures are now the official ones."
    protocol = fresh(world.protocol)
    assert (protocol.state, protocol.spoiled, protocol.official_entry.clerk.username) == ("verified", 10, "clerk1")
    browser.get(compare_url)  # the settled comparison stays readable
    assert browser.find_elements(By.ID, "comparison")


def test_the_review_page_in_every_language(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    save_entry(fresh(world.protocol), world.clerk2, world.values(spoiled="11", unused="239"), finish=True)
    log_in(browser, live_server, "chair1")
    url = f"{live_server.url}/supervise/protocol/{world.protocol.pk}/"
    for language in LANGUAGES:
        set_language(browser, language)
        browser.get(url)
        browser.find_element(By.ID, "choice-keep_2").send_keys(Keys.SPACE)
        browser.find_element(By.ID, "keep-reason").send_keys("recount")
        browser.find_element(By.ID, "review-choice").send_keys(Keys.ENTER)
        active_is(browser, "back-to-compare")
        assert browser.find_element("tag name", "html").get_attribute("lang") == language
        browser.save_screenshot(str(ARTIFACTS / f"resolve_review-{language}.png"))
        active(browser).send_keys(Keys.ENTER)  # Back: the compare page with the choice and reason
        until(browser, lambda d: d.find_element(By.ID, "choice-keep_2").is_selected())
        assert browser.find_element(By.ID, "keep-reason").get_attribute("value") == "recount"
    set_language(browser, "en")
    assert fresh(world.protocol).state == ProtocolState.IN_DISCREPANCY


def test_enter_in_any_field_never_submits(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    # The entry form, with warnings to explain: Enter in every figure, explanation and checkbox.
    save_entry(world.protocol, world.clerk1, world.values(found_stationary="699", invalid="29"))
    log_in(browser, live_server, "clerk1")
    browser.get(f"{live_server.url}/entry/protocol/{world.protocol.pk}/")
    active_is(browser, "why-found.below_issued")  # the figures are right: the warning takes the cursor
    before = fresh(world.protocol).version
    mark_page(browser)
    # Enter: the last figure -> the warning's explanation -> its confirmation -> "Finish entry".
    browser.find_element(By.NAME, f"vote_{world.c3.pk}").send_keys(Keys.ENTER)
    assert active(browser).get_attribute("id") == "why-found.below_issued"
    active(browser).send_keys(Keys.ENTER)
    assert active(browser).get_attribute("id") == "ack-found.below_issued"
    active(browser).send_keys(Keys.ENTER)
    assert active(browser).get_attribute("id") == "finish-entry"
    fields = browser.find_elements(By.CSS_SELECTOR, "#entry-form input:not([type=hidden])")
    assert len(fields) == 12 + 2
    for field in fields:
        field.send_keys(Keys.ENTER)
    assert stayed(browser) and fresh(world.protocol).version == before

    # The compare page: every radio, figure and text field of both forms.
    save_entry(world.protocol, world.clerk1, world.values(), finish=True, acknowledged=None)
    save_entry(fresh(world.protocol), world.clerk2, world.values(spoiled="11", unused="239"), finish=True)
    log_in(browser, live_server, "chair1")
    browser.get(f"{live_server.url}/supervise/protocol/{world.protocol.pk}/")
    version = fresh(world.protocol).version
    mark_page(browser)
    fields = browser.find_elements(By.CSS_SELECTOR, "#keep-form input:not([type=hidden]), #keep-form textarea")
    fields += browser.find_elements(By.CSS_SELECTOR, "#correct-form input:not([type=hidden]), #correct-form textarea")
    assert len(fields) == 3 + 1 + 12 + 1
    for field in fields:
        if field.get_attribute("type") == "radio":
            field.send_keys(Keys.SPACE)
        field.send_keys(Keys.ENTER)
    assert stayed(browser)
    protocol = fresh(world.protocol)
    assert (protocol.state, protocol.version) == (ProtocolState.IN_DISCREPANCY, version)

    # Without the script, Enter presses the forms' hidden default button: the page again, as typed.
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(f"{live_server.url}/supervise/protocol/{world.protocol.pk}/")
        browser.find_element(By.ID, "choice-discard").send_keys(Keys.SPACE, Keys.ENTER)
        until(browser, lambda d: d.current_url.endswith("/resolve/"))
        assert browser.find_element(By.ID, "choice-discard").is_selected()
        from selenium.webdriver.support import expected_conditions as ec

        voters = browser.find_element(By.NAME, "voters")
        voters.send_keys(Keys.END, "7", Keys.ENTER)
        until(browser, ec.staleness_of(voters))
        assert browser.find_element(By.NAME, "voters").get_attribute("value") == "10007"  # as typed
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    protocol = fresh(world.protocol)
    assert (protocol.state, protocol.version) == (ProtocolState.IN_DISCREPANCY, version)


def test_a_reload_offers_the_typed_figures_back(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    log_in(browser, live_server, "clerk1")
    url = f"{live_server.url}/entry/protocol/{world.protocol.pk}/"
    browser.get(url)
    active_is(browser, "f-voters")
    sequence, names = entry_sequence(world)
    type_figures(browser, sequence[:5], names[:5])  # the connection drops here: nothing sent
    browser.refresh()
    # The offer takes the cursor; Enter restores the figures and goes to the first empty one.
    offer = until(browser, lambda d: d.find_element(By.ID, "restore-offer"))
    assert offer.is_displayed()
    active_is(browser, "restore-yes")
    screenshots(browser, "entry_form_restore", before=lambda: active_is(browser, "restore-yes"))
    active(browser).send_keys(Keys.ENTER)
    assert [browser.find_element(By.NAME, n).get_attribute("value") for n in names[:5]] == sequence[:5]
    assert active(browser).get_attribute("name") == "unused"
    type_figures(browser, sequence[5:], names[5:])
    active(browser).send_keys(Keys.ENTER)
    success_message(browser)
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE
    key = f"electadmin.entry.{world.protocol.pk}.1.{world.clerk1.pk}"
    assert browser.execute_script("return window.localStorage.getItem(arguments[0]);", key) is None

    # Another user at the same computer is not offered clerk1's figures.
    browser.execute_script(
        "window.localStorage.setItem(arguments[0], JSON.stringify({values: {voters: '5'}}));",
        f"electadmin.entry.{world.protocol.pk}.1.{world.clerk2.pk + 1000}",
    )
    log_in(browser, live_server, "clerk2")
    browser.get(url)
    active_is(browser, "f-voters")
    assert not browser.find_element(By.ID, "restore-offer").is_displayed()


def test_a_double_submit_makes_one_entry(browser, live_server, world):
    log_in(browser, live_server, "clerk1")
    browser.get(f"{live_server.url}/entry/protocol/{world.protocol.pk}/")
    active_is(browser, "f-voters")
    sequence, names = entry_sequence(world)
    type_figures(browser, sequence, names)
    # The same form sent twice (a double click past the script, a retry after a time-out): at once
    # on PostgreSQL, whose row lock makes the second wait for the first; one after the other on
    # SQLite, whose shared in-memory test database cannot wait for a lock.
    statuses = browser.execute_async_script(
        """
        const [together, done] = [arguments[0], arguments[arguments.length - 1]];
        const form = document.getElementById("entry-form");
        const send = () => {
          const data = new FormData(form);
          data.set("action", "finish");
          return fetch(location.href, {method: "POST", body: data});
        };
        const both = together ? Promise.all([send(), send()]) : send().then(a => send().then(b => [a, b]));
        both.then(responses => done(responses.map(r => r.status)));
        """,
        connection.vendor == "postgresql",
    )
    assert statuses == [200, 200]  # both followed the redirect to the stations page: no error page
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.FIRST_ENTRY_DONE
    assert ProtocolEntry.objects.filter(protocol=protocol).count() == 1

"""Browser: tec-district certifies from the queue, keyboard only, in Kazakh, Russian and English.

From the one login page to the queue (where `/` sends a TEC), Tab to two verified protocols and
check them with Space, Shift+Tab back to "Certify the checked protocols", Enter; the confirmation
page shows the count and the figures with the confirm button focused; Enter certifies both.
Screenshots of the queue, the confirmation and the result go to tests/artifacts/ (git-ignored).
"""

import pathlib

import pytest

from core import clock
from results.models import Protocol, ProtocolState
from results.services import create_protocols_for_contest, save_entry
from tests.browser import chromium, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts"
MAX_TABS = 40


@pytest.fixture
def browser():
    with chromium(window=(1280, 1000)) as driver:
        yield driver


@pytest.fixture
def world(transactional_db):
    from tests.results.factories import COUNTING, World, member, user

    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        w.protocol2 = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
        for p, clerks, voters in (
            (w.protocol, (w.clerk1, w.clerk2), "1000"),
            (w.protocol2, [member(user(n), w.precinct2, "clerk") for n in ("s2-a", "s2-b")], "800"),
        ):
            for clerk in clerks:
                save_entry(
                    p,
                    clerk,
                    w.values(voters=voters, ballots_received=voters, unused=str(int(voters) - 760)),
                    finish=True,
                )
        assert set(Protocol.objects.filter(contest=w.contest).values_list("state", flat=True)) == {
            ProtocolState.VERIFIED
        }
        yield w


def active(driver):
    return driver.switch_to.active_element


def tab_to(driver, element_id, backwards=False):
    """Press Tab (Shift+Tab) until the element with this id has the focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(MAX_TABS):
        if active(driver).get_attribute("id") == element_id:
            return active(driver)
        if backwards:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            active(driver).send_keys(Keys.TAB)
    raise AssertionError(f"#{element_id} never got the focus in {MAX_TABS} tabs")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_tec_district_certifies_two_protocols_from_the_queue(browser, live_server, world, language):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(f"{live_server.url}/login/")
    browser.add_cookie({"name": "django_language", "value": language, "path": "/"})
    browser.get(f"{live_server.url}/")  # anonymous: the one login page
    until(browser, lambda d: d.current_url.endswith("/login/"), 10)
    until(browser, lambda d: active(d).get_attribute("name") == "username", 10)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    active(browser).send_keys("tec-district", Keys.TAB)
    active(browser).send_keys("pw", Keys.ENTER)

    # `/` sends the TEC to the certification queue.
    until(browser, lambda d: d.current_url.endswith("/tec/queue/"), 15)
    assert browser.find_element(By.CSS_SELECTOR, ".identity").text.startswith("tec-district — ")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert [r.get_attribute("data-protocol") for r in rows] == [str(world.protocol.pk), str(world.protocol2.pk)]
    assert "1. Ахметов Test: 400" in rows[0].text
    browser.save_screenshot(str(ARTIFACTS / f"tec_queue_{language}.png"))

    # Keyboard only: Tab to each checkbox, Space checks it; back to the button, Enter.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    for protocol in (world.protocol, world.protocol2):
        tab_to(browser, f"pick-{protocol.pk}").send_keys(Keys.SPACE)
        assert active(browser).is_selected()
    tab_to(browser, "certify-checked", backwards=True).send_keys(Keys.ENTER)

    # The confirmation: the count, both protocols' figures, the confirm button focused; nothing certified yet.
    until(browser, lambda d: d.find_elements(By.ID, "confirm-count"), 15)
    assert "2" in browser.find_element(By.ID, "confirm-count").text
    confirm_rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert len(confirm_rows) == 2 and "V 1000" in confirm_rows[0].text and "V 800" in confirm_rows[1].text
    until(browser, lambda d: active(d).get_attribute("id") == "confirm-certify", 10)
    assert set(Protocol.objects.filter(contest=world.contest).values_list("state", flat=True)) == {"verified"}
    browser.save_screenshot(str(ARTIFACTS / f"tec_confirm_{language}.png"))
    active(browser).send_keys(Keys.ENTER)

    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg-success"), 20)
    assert browser.current_url.endswith("/tec/queue/")
    assert "2" in browser.find_element(By.CSS_SELECTOR, ".msg-success").text
    assert not browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    browser.save_screenshot(str(ARTIFACTS / f"tec_certified_{language}.png"))
    certified = Protocol.objects.filter(contest=world.contest, state=ProtocolState.CERTIFIED)
    assert set(certified.values_list("certified_by__username", flat=True)) == {"tec-district"}
    assert certified.count() == 2
    for name in ("queue", "confirm", "certified"):
        assert (ARTIFACTS / f"tec_{name}_{language}.png").stat().st_size > 0

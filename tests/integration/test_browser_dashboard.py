"""Browser: the dashboard's levels by clicking, in kk, ru and en (issue 23), in Debian's chromium.

The CEC member goes from the country page to the region, the district, the contest and the polling
station, each by clicking its link, checking the breadcrumbs and that no page is longer than three
screens at 1400 x 1000; then searches for a candidate by name and opens the contest found.
"""

import pytest

from core import clock
from results.aggregation import recompute
from results.models import Protocol
from results.services import certify_protocol, create_protocols_for_contest
from tests.browser import chromium, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("kk", "ru", "en")
SCREENS = 3
SCREEN_HEIGHT = 1000


@pytest.fixture(scope="module")
def browser():
    with chromium(window=(1400, 1000), implicit_wait=2) as driver:
        yield driver


@pytest.fixture
def world(transactional_db):
    from tests.results.factories import COUNTING, World
    from tests.results.helpers import verified

    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        create_protocols_for_contest(w.other_contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        w.protocol2 = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
        certify_protocol(verified(w), w.tec)
        recompute(w.election)
        yield w


def log_in(driver, live_server, username, language):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/login/")
    driver.add_cookie({"name": "django_language", "value": language, "path": "/"})
    driver.get(f"{live_server.url}/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("pw", Keys.ENTER)
    until(driver, lambda d: "/login/" not in d.current_url)


def click_link_to(driver, path):
    from selenium.webdriver.common.by import By

    link = driver.find_element(By.CSS_SELECTOR, f'#content-main a[href^="{path}"]')
    driver.execute_script("arguments[0].scrollIntoView()", link)
    link.click()
    until(driver, lambda d: d.current_url.split("?")[0].endswith(path))


def crumbs(driver):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, ".breadcrumbs").text


def height(driver):
    return driver.execute_script("return document.body.scrollHeight")


@pytest.mark.parametrize("language", LANGUAGES)
def test_from_the_country_to_a_polling_station_by_clicking_and_a_candidate_by_search(
    browser, live_server, world, language
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    e = world.election.pk
    base = f"/admin/results/dashboard/{e}/"
    log_in(browser, live_server, "cec", language)
    browser.get(f"{live_server.url}{base}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    heights = {"country": height(browser)}
    click_link_to(browser, f"{base}unit/{world.region.pk}/")
    assert "Карагандинская область" in crumbs(browser) or "Қарағанды" in crumbs(browser)
    heights["region"] = height(browser)
    click_link_to(browser, f"{base}unit/{world.district.pk}/")
    heights["district"] = height(browser)
    click_link_to(browser, f"{base}contest/{world.contest.pk}/")
    assert "Ахметов" in browser.find_element(By.CSS_SELECTOR, ".contest-candidates").text
    heights["contest"] = height(browser)
    click_link_to(browser, f"{base}protocol/{world.protocol.pk}/")
    assert browser.find_element(By.CSS_SELECTOR, ".protocol-figures")
    trail = crumbs(browser)
    assert "Абайский район" in trail and "Сельский округ А" in trail
    heights["station"] = height(browser)
    assert max(heights.values()) <= SCREENS * SCREEN_HEIGHT, heights

    box = browser.find_element(By.ID, "dashboard-q")
    box.send_keys("Бекова", Keys.ENTER)
    until(browser, lambda d: "/search/" in d.current_url)
    found = browser.find_element(By.CSS_SELECTOR, ".search-candidates").text
    assert "Бекова" in found
    click_link_to(browser, f"{base}contest/{world.contest.pk}/")
    assert "Бекова" in browser.find_element(By.CSS_SELECTOR, ".contest-candidates").text

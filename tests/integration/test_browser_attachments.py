"""Browser: a clerk attaches a photograph of the signed protocol on the entry page, and the district
TEC sees it drawn beside the figures in the certification queue (the <img> loads through the
scoped file view: naturalWidth > 0), in Kazakh, Russian and English."""

import pytest

from core import clock
from results.models import Protocol, ProtocolAttachment
from results.services import create_protocols_for_contest, save_entry
from tests.browser import until
from tests.results.attachment_files import png_bytes

from .test_browser_certify import browser  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    from tests.results.factories import COUNTING, World

    settings.MEDIA_ROOT = tmp_path
    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


def log_in(driver, url, username, language):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{url}/login/")
    driver.add_cookie({"name": "django_language", "value": language, "path": "/"})
    driver.get(f"{url}/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("pw", Keys.ENTER)
    until(driver, lambda d: not d.current_url.endswith("/login/"), 15)


def drawn(driver, element):
    """Whether the browser loaded and decoded the image (a broken or refused one has naturalWidth 0)."""
    return driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth;", element)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_photograph_is_attached_and_shown_beside_the_figures(browser, live_server, world, tmp_path, language):  # noqa: F811
    from selenium.webdriver.common.by import By

    photo = tmp_path / "upload" / "protocol-1.png"
    photo.parent.mkdir()
    photo.write_bytes(png_bytes(width=40, height=30))

    # The clerk attaches the photograph from the entry page; it is drawn there at once.
    log_in(browser, live_server.url, "clerk1", language)
    browser.get(f"{live_server.url}/entry/protocol/{world.protocol.pk}/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    browser.find_element(By.ID, "attach-file").send_keys(str(photo))
    browser.find_element(By.ID, "attach").click()
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg-success"), 15)
    attachment = ProtocolAttachment.objects.get(protocol=world.protocol)
    image = browser.find_element(By.ID, f"attachment-{attachment.pk}")
    until(browser, lambda d: drawn(d, image), 10)
    assert image.get_property("naturalWidth") == 40
    assert attachment.sha256 in browser.find_element(By.CSS_SELECTOR, ".msg-success").text

    # Two clerks enter equal figures: the protocol is verified and waits in the TEC's queue.
    with clock.frozen(clock.now()):
        for clerk in (world.clerk1, world.clerk2):
            save_entry(Protocol.objects.get(pk=world.protocol.pk), clerk, world.values(), finish=True)
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "tec-district", language)
    browser.get(f"{live_server.url}/tec/queue/")
    row = browser.find_element(By.ID, f"row-{world.protocol.pk}")
    image = row.find_element(By.CSS_SELECTOR, f"img#attachment-{attachment.pk}")
    until(browser, lambda d: drawn(d, image), 10)
    assert image.get_property("naturalWidth") == 40 and image.is_displayed()
    figures = row.find_element(By.CSS_SELECTOR, "ul.figures")
    assert "V 1000" in figures.text
    # Beside the figures: the photograph's cell and the figures' cell are on the same row, side by side.
    assert abs(image.location["y"] - figures.location["y"]) < 200
    assert image.location["x"] < figures.location["x"]

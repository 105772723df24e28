"""Debian's chromium through chromedriver (Selenium), as every browser test starts it.

The brief's flags (headless, no sandbox, no GPU, no background networking) always; a window size,
a language, the console log and the implicit wait are each test module's choice.
"""

import contextlib
import shutil

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


@contextlib.contextmanager
def chromium(*, window=None, lang=None, console_log=False, implicit_wait=5):
    """Yield a Chrome driver on Debian's chromium; quit it afterwards, whatever happened."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    if window:
        options.add_argument("--window-size={},{}".format(*window))
    if lang:
        options.add_argument(f"--lang={lang}")
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = report_detached_nodes_as_stale(
        webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    )
    try:
        if window:
            driver.set_window_size(*window)
        driver.implicitly_wait(implicit_wait)
        yield driver
    finally:
        driver.quit()


DETACHED_NODE = "does not belong to the document"


def report_detached_nodes_as_stale(driver):
    """Make `driver` raise StaleElementReferenceException, as the WebDriver standard says, where
    Chromium answers "Node with given id does not belong to the document" (a plain
    WebDriverException): the element was found in a document that a navigation has since replaced.
    Then every wait that ignores stale elements, and `expected_conditions.staleness_of`, read it
    right."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    check = driver.error_handler.check_response

    def check_response(response):
        try:
            check(response)
        except StaleElementReferenceException:
            raise
        except WebDriverException as error:
            if DETACHED_NODE in (error.msg or ""):
                raise StaleElementReferenceException(error.msg, error.screen, error.stacktrace) from error
            raise

    driver.error_handler.check_response = check_response
    return driver


def until(driver, condition, timeout=10):
    """WebDriverWait(driver, timeout).until(condition), where an element that a navigation took out
    of the document reads as "not yet" (see `report_detached_nodes_as_stale`); any other error fails
    at once."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def page_language(driver):
    """The `lang` of the page's <html>, read by a script: no element reference to go stale."""
    return driver.execute_script("return document.documentElement.lang")


def wait_for_language(driver, language, timeout=10):
    """Wait until the page shown is in `language` (a navigation under way is waited out)."""
    until(driver, lambda d: page_language(d) == language, timeout)

"""In a real browser, the Content-Security-Policy refuses nothing on our pages: the admin, the
entry pages and both API docs pages load and run without a single CSP violation in the console,
and the Swagger UI and Redoc actually render the schema (Redoc's logo from its CDN is the one thing
refused, as it should be)."""

import pytest

from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    with chromium(console_log=True) as driver:
        yield driver


@pytest.fixture
def cec(transactional_db):
    from tests.results.factories import World

    return World().cec


def _violations(driver):
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]


def _log_in(driver, live_server, username):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("pw")
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: "/admin/login/" not in d.current_url)


def test_no_csp_violation_on_the_admin_entry_and_docs_pages(browser, live_server, cec):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server.url}/entry/login/")
    assert not _violations(browser)
    _log_in(browser, live_server, "cec")
    problems = {}
    for path in (
        "/admin/",
        "/admin/territory/adminunit/",
        "/admin/registry/person/add/",
        "/admin/results/protocol/",
        "/entry/",
        "/tec/",
    ):
        browser.get(live_server.url + path)
        problems[path] = _violations(browser)

    browser.get(live_server.url + "/api/docs/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info"))
    problems["/api/docs/"] = _violations(browser)

    browser.get(live_server.url + "/api/redoc/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".api-content, [role=navigation]"))
    # Redoc's "powered by" logo comes from its CDN: refusing it is the policy at work (no outside loads).
    problems["/api/redoc/"] = [v for v in _violations(browser) if "https://cdn.redoc.ly/" not in v]

    assert not {path: found for path, found in problems.items() if found}

"""tests/browser.py: Chromium's answer for an element of a replaced document is reported as the
stale element it is, and the waits read a stale element as "not yet"; any other driver error fails
at once."""

import pytest
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)

from tests.browser import report_detached_nodes_as_stale, until

DETACHED = (
    'unknown error: unhandled inspector error: {"code":-32000,'
    '"message":"Node with given id does not belong to the document"}'
)


class ErrorHandler:
    """Raises the next of `errors` for each response, then lets responses through."""

    def __init__(self, errors):
        self.errors = list(errors)

    def check_response(self, response):
        if self.errors:
            raise self.errors.pop(0)


class Driver:
    def __init__(self, *errors):
        self.error_handler = ErrorHandler(errors)
        self.calls = 0

    def read_lang(self):
        """What an element read does: the driver's answer is checked, then the value returned."""
        self.calls += 1
        self.error_handler.check_response({"status": 500})
        return "ru"


def test_chromiums_detached_node_is_raised_as_a_stale_element():
    driver = report_detached_nodes_as_stale(Driver(WebDriverException(DETACHED)))
    with pytest.raises(StaleElementReferenceException, match="does not belong to the document"):
        driver.read_lang()


def test_other_driver_errors_keep_their_class():
    driver = report_detached_nodes_as_stale(Driver(WebDriverException("unknown error: session deleted")))
    with pytest.raises(WebDriverException, match="session deleted") as raised:
        driver.read_lang()
    assert type(raised.value) is WebDriverException


def test_a_replaced_document_is_waited_out():
    driver = report_detached_nodes_as_stale(
        Driver(WebDriverException(DETACHED), StaleElementReferenceException("stale"))
    )
    assert until(driver, lambda d: d.read_lang(), timeout=5) == "ru"
    assert driver.calls == 3


def test_another_driver_error_fails_at_once():
    driver = report_detached_nodes_as_stale(Driver(WebDriverException("unknown error: session deleted")))
    with pytest.raises(WebDriverException, match="session deleted"):
        until(driver, lambda d: d.read_lang(), timeout=5)
    assert driver.calls == 1


def test_a_condition_never_met_times_out():
    with pytest.raises(TimeoutException):
        until(Driver(), lambda d: False, timeout=0.3)

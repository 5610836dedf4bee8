"""One complete self-report through the simulator page in headless Chromium (Debian's
chromium + chromium-driver; no browser downloads). Skipped without them unless
FANGPIN_REQUIRE_BROWSER=1, which `.ci/run` sets."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from policy.idnumber import check_digit
from tests.test_simulator import start_demo

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ID_NUMBER = "52272719700101123" + check_digit("52272719700101123")
# (what the question says, what the farmer answers), most specific first: the confirmation
# summary repeats the labels of the other questions.
ANSWERS = (
    ("请核对您的申报", "确认"),
    ("请问申请人叫什么名字", "王发红"),
    ("身份证号（18位", ID_NUMBER),
    ("哪个村、哪个组", "红龙村7组"),
    ("一共几口人", "5"),
    ("主要困难是什么", "1"),
    ("什么时候发生的", "上个月"),
    ("大概要花多少钱", "两万五"),
    ("医保报销、保险或补助", "0"),
    ("今年全家预计", "3万"),
    ("去年全家大概", "4万"),
    ("简单说说家里的情况", "老伴住院做了手术，家里花了很多钱。"),
    ("有病历、发票", "没有"),
    ("联系电话", "13812345678"),
)
SUBMITTED = "申报已提交，编号"


def require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if not missing:
        return
    message = (f"{', '.join(missing)} not found: install Debian's chromium and chromium-driver "
               "(apt-get install chromium chromium-driver) to run it")
    if os.environ.get("FANGPIN_REQUIRE_BROWSER") == "1":
        pytest.fail("FANGPIN_REQUIRE_BROWSER=1 but " + message)
    pytest.skip("browser test skipped: " + message)


def start_chromium(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=480,900",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


class SimulatorPage:
    """The page as a user drives it; every method blocks (run it in a thread)."""

    def __init__(self, driver, url: str) -> None:
        self.driver = driver
        self.url = url

    def wait(self, condition, timeout: float = 20.0):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition)

    def open_as(self, openid: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        self.driver.get(self.url)
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f'#persona option[value="{openid}"]'))
        Select(self.driver.find_element(By.ID, "persona")).select_by_value(openid)
        self.wait(lambda d: "农户" in d.find_element(By.ID, "persona-info").text)

    def replies(self) -> list[str]:
        from selenium.webdriver.common.by import By

        return [element.text for element in
                self.driver.find_elements(By.CSS_SELECTOR, "#messages .bubble.bot.reply")]

    def _after(self, action) -> str:
        """Do `action`, wait until the page has the passive reply, and return it."""
        from selenium.webdriver.common.by import By

        messages = self.driver.find_element(By.ID, "messages")
        sent = int(messages.get_attribute("data-sent"))
        before = len(self.replies())
        action()
        self.wait(lambda d: int(messages.get_attribute("data-sent")) > sent)
        errors = self.driver.find_elements(By.CSS_SELECTOR, "#messages .bubble.error")
        assert not errors, [element.text for element in errors]
        replies = self.replies()
        assert len(replies) == before + 1, replies
        return replies[-1]

    def click_menu(self, key: str) -> str:
        from selenium.webdriver.common.by import By

        return self._after(lambda: self.driver.find_element(By.CSS_SELECTOR, f".menu-{key}")
                           .click())

    def say(self, text: str) -> str:
        from selenium.webdriver.common.by import By

        def type_and_send() -> None:
            box = self.driver.find_element(By.ID, "input")
            box.clear()
            box.send_keys(text)
            self.driver.find_element(By.ID, "send").click()

        return self._after(type_and_send)


def answer_for(question: str) -> str:
    for marker, answer in ANSWERS:
        if marker in question:
            return answer
    raise AssertionError(f"unexpected question: {question!r}")


def complete_self_report(page: SimulatorPage) -> tuple[str, list[str]]:
    page.open_as("demo-farmer-01")
    reply = page.click_menu("REPORT")
    asked: list[str] = []
    while SUBMITTED not in reply:
        answer = answer_for(reply)
        asked.append(answer)
        assert asked.count(answer) <= 1, f"asked again after {answer!r}: {reply!r}"
        reply = page.say(answer)
    return reply, asked


def drive(url: str, profile: Path) -> tuple[str, list[str], str]:
    driver = start_chromium(profile)
    try:
        page = SimulatorPage(driver, url)
        submitted, asked = complete_self_report(page)
        return submitted, asked, page.click_menu("MY_CASES")
    finally:
        driver.quit()


async def test_a_farmer_completes_a_self_report_in_the_browser(aiohttp_server, tmp_path):
    require_browser()
    server, _ = await start_demo(aiohttp_server, tmp_path)
    started = time.monotonic()
    submitted, asked, my_cases = await asyncio.to_thread(
        drive, str(server.make_url("/simulator")), tmp_path / "chromium-profile")
    assert SUBMITTED in submitted and "当前状态" in submitted
    assert asked[-1] == "确认" and len(asked) == len(ANSWERS)
    number = submitted.split("编号：", 1)[1].split("。", 1)[0]
    assert number and number in my_cases
    assert time.monotonic() - started < 120

"""The sandbox's application forms load in real headless Chromium and record what a browser submits.

Each test fills one ATS style's form by hand with Selenium (the way the quirks demand: comboboxes that
render options only when opened, Lever cards without ``<label for>``, Ashby's script-rendered page, the
generic form's iframe and late content) and checks the confirmation and the recorded submission.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from sandbox import SandboxServer
from tests.support.common import wait_for

CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1200,2000"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(port=0, data_dir=tmp_path_factory.mktemp("sandbox-data")) as sb:
        yield sb


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    drv = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    drv.set_page_load_timeout(20)
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture
def fresh(sandbox: SandboxServer) -> SandboxServer:
    sandbox.reset()
    return sandbox


@pytest.fixture(scope="module")
def resume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("files") / "Asha_Rao_resume.pdf"
    path.write_bytes(b"%PDF-1.4\n% sandbox resume for Asha Rao\n" + b"x" * 2048)
    return path


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def one_submission(sb: SandboxServer, key: str) -> dict:
    return wait_for(lambda: sb.submissions(key), timeout=10, message=f"a submission for {key}")[0]


def test_greenhouse_legacy_form_fills_and_submits_to_a_confirmation(driver: WebDriver, fresh: SandboxServer,
                                                                  resume: Path) -> None:
    driver.get(fresh.apply_url("gh-backend"))
    form = driver.find_element(By.ID, "application_form")
    for fid, value in (("first_name", "Asha"), ("last_name", "Rao"), ("email", "asha@example.com"),
                       ("phone", "+91 98450 12345")):
        form.find_element(By.ID, fid).send_keys(value)
    form.find_element(By.ID, "resume").send_keys(str(resume))
    # Custom questions are wrapped in their <label>; find them through the label text.
    auth = form.find_element(By.XPATH, "//label[contains(., 'authorized to work')]//select")
    Select(auth).select_by_visible_text("Yes")
    Select(form.find_element(By.XPATH, "//label[contains(., 'notice period')]//select")).select_by_visible_text("30 days")
    form.find_element(By.XPATH, "//label[contains(., 'relocate')]//select").send_keys("Yes")
    Select(form.find_element(By.ID, "job_application_gender")).select_by_visible_text("Decline To Self Identify")
    form.find_element(By.ID, "submit_app").click()
    wait(driver).until(EC.url_contains("/confirmation"))
    assert "Thank you for applying" in driver.find_element(By.TAG_NAME, "body").text
    sub = one_submission(fresh, "gh-backend")
    assert sub["fields"]["job_application[first_name]"] == "Asha"
    assert sub["answers"]["Are you legally authorized to work in India?"] == "Yes"
    assert sub["answers"]["What is your notice period?"] == "30 days"
    assert sub["answers"]["Gender"] == "Decline To Self Identify"
    assert sub["files"] == [{"field": "job_application[resume]", "filename": resume.name, "size": resume.stat().st_size,
                             "content_type": "application/pdf",
                             "sha256": hashlib.sha256(resume.read_bytes()).hexdigest()}]
    assert "Chrome" in sub["user_agent"]


def test_greenhouse_legacy_blocks_a_submit_missing_required_answers(driver: WebDriver, fresh: SandboxServer) -> None:
    driver.get(fresh.apply_url("gh-backend"))
    driver.find_element(By.ID, "first_name").send_keys("Asha")
    driver.find_element(By.ID, "submit_app").click()
    errors = [e for e in driver.find_elements(By.CSS_SELECTOR, ".field-error-msg") if e.is_displayed()]
    assert errors and "/confirmation" not in driver.current_url
    assert fresh.submissions("gh-backend") == []


def pick_combobox(driver: WebDriver, input_id: str, option_text: str) -> None:
    box = driver.find_element(By.ID, input_id)
    assert not driver.find_elements(By.ID, f"react-select-{input_id}-listbox")  # options exist only when open
    box.click()
    option = wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, f"//*[@id='react-select-{input_id}-listbox']/*[@role='option'][normalize-space()='{option_text}']")))
    option.click()


def test_greenhouse_react_comboboxes_render_options_only_when_opened(driver: WebDriver, fresh: SandboxServer,
                                                                    resume: Path) -> None:
    driver.get(fresh.apply_url("ghr-frontend"))
    for fid, value in (("first_name", "Asha"), ("last_name", "Rao"), ("email", "asha@example.com"),
                       ("phone", "9845012345")):
        driver.find_element(By.ID, fid).send_keys(value)
    driver.find_element(By.ID, "resume").send_keys(str(resume))
    labels = {el.text.rstrip("*").strip(): el.get_attribute("for")
              for el in driver.find_elements(By.CSS_SELECTOR, "label.select__label")}
    pick_combobox(driver, labels["Are you legally authorized to work in India?"], "Yes")
    pick_combobox(driver, labels["What is your notice period?"], "60 days")
    pick_combobox(driver, labels["Are you willing to relocate?"], "No")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(EC.url_contains("/confirmation"))
    assert "Thank you for applying" in driver.find_element(By.ID, "confirmation").text
    sub = one_submission(fresh, "ghr-frontend")
    assert sub["answers"]["What is your notice period?"] == "60 days"
    assert sub["answers"]["Are you willing to relocate?"] == "No"
    assert sub["files"][0]["field"] == "resume"


def test_lever_card_fields_follow_their_base_template(driver: WebDriver, fresh: SandboxServer, resume: Path) -> None:
    driver.get(fresh.apply_url("lever-fullstack"))
    driver.find_element(By.NAME, "resume").send_keys(str(resume))
    driver.find_element(By.NAME, "name").send_keys("Asha Rao")
    driver.find_element(By.NAME, "email").send_keys("asha@example.com")
    driver.find_element(By.NAME, "urls[LinkedIn]").send_keys("https://linkedin.com/in/asharao")
    hidden = driver.find_element(By.CSS_SELECTOR, "input[name$='[baseTemplate]']")
    card = hidden.get_attribute("name")[: -len("[baseTemplate]")]
    template = json.loads(hidden.get_attribute("value"))
    assert driver.find_elements(By.CSS_SELECTOR, f"label[for^='{card}']") == []  # no <label for> on cards
    for i, fld in enumerate(template["fields"]):
        name = f"{card}[field{i}]"
        if not fld["required"]:
            continue
        if fld["type"] == "multiple-choice":
            driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='Yes']").click()
        elif fld["type"] == "dropdown":
            Select(driver.find_element(By.NAME, name)).select_by_index(1)
        else:
            driver.find_element(By.NAME, name).send_keys("answer")
    driver.find_element(By.ID, "btn-submit").click()
    wait(driver).until(EC.url_contains("/thanks"))
    assert "Application submitted" in driver.find_element(By.TAG_NAME, "body").text
    sub = one_submission(fresh, "lever-fullstack")
    assert sub["fields"]["name"] == "Asha Rao"
    assert sub["answers"]["Are you willing to relocate?"] == "Yes"
    assert sub["answers"]["Are you legally authorized to work in India?"] == "Yes"


def test_ashby_renders_after_load_and_keeps_the_autofill_upload_apart(driver: WebDriver, fresh: SandboxServer,
                                                                     resume: Path) -> None:
    driver.get(fresh.apply_url("ashby-product"))
    assert driver.find_elements(By.TAG_NAME, "form") == []
    name = wait(driver).until(EC.presence_of_element_located((By.ID, "_systemfield_name")))
    name.send_keys("Asha Rao")
    driver.find_element(By.ID, "_systemfield_email").send_keys("asha@example.com")
    # Only the decoy gets the file first: the form refuses to submit without the real resume.
    driver.find_element(By.ID, "_autofill_resume_input").send_keys(str(resume))
    for legend in driver.find_elements(By.CSS_SELECTOR, "fieldset legend"):
        group = legend.find_element(By.XPATH, "..")
        group.find_element(By.XPATH, ".//label[normalize-space()='Yes']").click()
    fid = driver.find_element(By.XPATH, "//label[starts-with(normalize-space(), 'What is your notice period?')]"
                              ).get_attribute("for")
    Select(driver.find_element(By.ID, fid)).select_by_visible_text("15 days")
    button = driver.find_element(By.CSS_SELECTOR, ".ashby-application-form-submit-button")
    button.click()
    assert "Missing entry for required field: Resume" in driver.find_element(By.CSS_SELECTOR, ".ashby-application-form-errors").text
    driver.find_element(By.ID, "_systemfield_resume").send_keys(str(resume))
    button.click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".ashby-application-form-success-container")))
    sub = one_submission(fresh, "ashby-product")
    assert {f["field"] for f in sub["files"]} == {"_systemfield_resume", "_autofill_resume"}
    assert sub["answers"]["Name"] == "Asha Rao"
    assert sub["answers"]["Are you willing to relocate?"] == "Yes"
    assert sub["answers"]["What is your notice period?"] == "15 days"


def test_generic_form_with_iframe_late_content_custom_dropdown_and_declaration(driver: WebDriver,
                                                                               fresh: SandboxServer,
                                                                               resume: Path) -> None:
    driver.get(fresh.apply_url("generic-python"))
    driver.find_element(By.ID, "fullName").send_keys("Asha Rao")
    driver.find_element(By.NAME, "email").send_keys("asha@example.com")
    driver.find_element(By.CSS_SELECTOR, "[aria-labelledby=lbl-mobile]").send_keys("9845012345")
    driver.find_element(By.XPATH, "//*[normalize-space()='Expected CTC (in LPA)']/following-sibling::input").send_keys("14")
    Select(driver.find_element(By.ID, "notice")).select_by_visible_text("30 days")
    driver.find_element(By.CSS_SELECTOR, "input[name=relocate][value=yes]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=tools][value=python]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=tools][value=sql]").click()
    driver.find_element(By.ID, "education-dropdown").click()
    driver.find_element(By.XPATH, "//li[@data-value='btech']").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "python_years"))).send_keys("5")
    driver.find_element(By.ID, "cv").send_keys(str(resume))
    driver.switch_to.frame(driver.find_element(By.ID, "links-frame"))
    driver.find_element(By.ID, "linkedin").send_keys("https://linkedin.com/in/asharao")
    driver.switch_to.default_content()
    driver.find_element(By.XPATH, "//label[contains(., 'I confirm the above is true')]/input").click()
    driver.find_element(By.ID, "submit").click()
    wait(driver).until(EC.url_contains("/applied"))
    assert "application has been received" in driver.find_element(By.TAG_NAME, "body").text
    sub = one_submission(fresh, "generic-python")
    assert sub["answers"]["Highest qualification"] == "B.Tech / B.E."
    assert sub["answers"]["Which of these have you used in production?"] == ["Python", "SQL"]
    assert sub["answers"]["LinkedIn URL"] == "https://linkedin.com/in/asharao"
    assert sub["answers"]["Years of Python experience"] == "5"
    assert sub["answers"]["Expected CTC (in LPA)"] == "14"


def test_knockout_job_asks_required_free_text_questions(driver: WebDriver, fresh: SandboxServer) -> None:
    driver.get(fresh.apply_url("gh-knockout"))
    body = driver.find_element(By.ID, "application_form").text
    assert "Years of experience with COBOL *" in body
    assert "Do you hold a valid security clearance? Explain *" in body
    textarea = driver.find_element(By.XPATH, "//label[contains(., 'security clearance')]//textarea")
    assert textarea.get_attribute("aria-required") == "true"


@pytest.mark.parametrize("key,text", [("workday-se", "Sign In"), ("linkedin-pm", "Sign in to apply"),
                                      ("naukri-qa", "Login to apply")])
def test_account_walls_show_a_login(driver: WebDriver, fresh: SandboxServer, key: str, text: str) -> None:
    driver.get(fresh.apply_url(key))
    assert text in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_elements(By.CSS_SELECTOR, "input[type=password], #otpField")


def test_dropped_submit_leaves_the_browser_without_a_confirmation(driver: WebDriver, fresh: SandboxServer,
                                                                  resume: Path) -> None:
    fresh.add_fault("drop_submit", job="ghr-sre")
    driver.get(fresh.apply_url("ghr-sre"))
    for fid, value in (("first_name", "Asha"), ("last_name", "Rao"), ("email", "asha@example.com"),
                       ("phone", "9845012345")):
        driver.find_element(By.ID, fid).send_keys(value)
    driver.find_element(By.ID, "resume").send_keys(str(resume))
    answers = {"Are you legally authorized to work in India?": "Yes", "What is your notice period?": "Immediate",
               "Are you willing to relocate?": "Yes"}
    for label in driver.find_elements(By.CSS_SELECTOR, "label.select__label"):
        text = label.text.rstrip("*").strip()
        if text in answers:
            pick_combobox(driver, label.get_attribute("for"), answers[text])
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "submit-error")))
    assert "error submitting" in error.text
    assert "/confirmation" not in driver.current_url
    assert len(one_submission(fresh, "ghr-sre")["files"]) == 1  # the server did record it


def test_captcha_fault_shows_a_visible_challenge_in_the_browser(driver: WebDriver, fresh: SandboxServer) -> None:
    fresh.add_fault("captcha", job="lever-ml")
    driver.get(fresh.apply_url("lever-ml"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Verify you are human"
    assert driver.find_element(By.ID, "captcha-widget").is_displayed()
    assert not driver.find_elements(By.ID, "application-form")

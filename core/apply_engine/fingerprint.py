"""Which ATS drew this page, read from its markup rather than its URL.

The same Greenhouse form is served from ``boards.greenhouse.io``, from ``job-boards.greenhouse.io`` and,
embedded in an iframe, from a company's own careers page; Lever, iCIMS and the ATSs Indian employers use
(Zoho Recruit, Freshteam, Keka, Darwinbox) are often behind a company domain too. Each ATS leaves marks
in what it serves: ids and classes of its form (``#application_form`` with ``job_application[...]``
names, ``.ashby-application-form-*``, ``data-ui`` blocks, ``resumator-*`` ids), the names of its fields,
its asset and script URLs, the embed iframe (``#grnhse_iframe``, ``#icims_content_iframe``).

:func:`fingerprint` runs one script over the page and its same-origin frames and returns the ATS and,
for an embedded form, the iframe that holds it (the form is filled there and nothing outside it is
touched: a newsletter box on the company page is not the application). The marks are the ones public
material about each ATS shows (captured pages, vendors' documentation, autofill projects' notes); a page
that matches none is ``generic``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selenium.common.exceptions import WebDriverException

from core.apply_engine.js import script

#: ATS -> CSS selectors, any of which marks the page (checked in this order: the most specific first).
MARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("greenhouse_react", ("form.application--form", ".application--container .select__container",
                          "input[id^='question_'][aria-required]")),
    ("greenhouse", ("form#application_form input[name^='job_application[']", "#submit_app",
                    "#grnhse_app", "[data-greenhouse-job]")),
    ("lever", ("input[name^='cards['][name$='[baseTemplate]']", "#application-form li.application-question",
               "[data-qa='btn-submit']", ".lever-job-application")),
    ("ashby", (".ashby-application-form-container", "[class*='ashby-application-form']", "#_systemfield_name")),
    ("workable", ("form[data-ui='application-form']", "[data-ui='apply-button']", "[data-ui='job-application']")),
    ("smartrecruiters", ("oc-root", "oc-app-root", "oc-personal-information", "[data-test='footer-submit']", "spl-input")),
    ("teamtailor", ("meta[name='generator'][content*='Teamtailor' i]", "form#new_candidate input[name^='candidate[']")),
    ("breezy", ("form[name='applyForm'] input[name='cName']", ".breezy-portal", "[data-breezy-position]")),
    ("recruitee", ("[data-recruitee-careers-site]", "input[name^='candidate.open_question']")),
    ("personio", ("form#job-application-form input[name^='categorised_attachments']", ".personio-job-page",
                  "#personio-jobs")),
    ("jazzhr", ("#resumator-application-form", "input[id^='resumator-'][id$='-value']")),
    ("bamboohr", (".BambooHR-ATS-board", "[class*='BambooHR-ATS']")),
    ("icims", (".iCIMS_MainWrapper", "[class*='iCIMS_Forms']", "#icims_content_iframe")),
    ("zoho_recruit", ("#zrsc-app", ".zrsc-body", "form#zr-apply-form")),
    ("freshteam", ("[data-portal='freshteam']", ".freshteam-portal", "input[name^='applicant[custom_field_values]']")),
    ("keka", (".keka-careers", "[class*='keka-hire']")),
    ("darwinbox", (".darwinbox-careers", "input[name^='CandidateForm[']")),
    ("google_forms", ("form[action*='/formResponse']", "form#mG61Hd", "[role=listitem] [jsmodel][data-params]")),
)

#: ATS -> pattern of its hosts as they appear in script, link and iframe URLs.
HOSTS: tuple[tuple[str, str], ...] = (
    ("greenhouse", r"greenhouse\.io/embed/job_app|/embed/job_app\?for=|boards\.greenhouse\.io|grnhse"),
    ("lever", r"jobs\.(eu\.)?lever\.co"),
    ("ashby", r"ashbyhq\.com"),
    ("workable", r"apply\.workable\.com|workablecdn"),
    ("smartrecruiters", r"smartrecruiters\.com"),
    ("teamtailor", r"teamtailor(-cdn)?[./]"),
    ("breezy", r"breezy\.hr|breezy-hr|breezy-portal"),
    ("recruitee", r"recruitee(cdn)?[./]"),
    ("personio", r"personio\.(de|com)|/personio/"),
    ("jazzhr", r"applytojob\.com|resumator"),
    ("bamboohr", r"bamboohr\.com"),
    ("icims", r"\.icims\.com|icims_content_iframe"),
    ("zoho_recruit", r"zohorecruit|/zrsc/"),
    ("freshteam", r"freshteam\.com|/freshteam/"),
    ("keka", r"keka\.com|/keka/"),
    ("darwinbox", r"darwinbox\.(in|com)|/darwinbox/"),
    ("google_forms", r"docs\.google\.com/forms|gstatic\.com/_/freebird"),
)

#: The iframe an ATS embeds its form in on a company's page.
EMBEDS: tuple[tuple[str, str], ...] = (
    ("greenhouse", "iframe#grnhse_iframe, #grnhse_app iframe, iframe[src*='/embed/job_app']"),
    ("icims", "iframe#icims_content_iframe, iframe[src*='in_iframe=1'][src*='/jobs/']"),
    ("lever", "iframe[src*='jobs.lever.co']"),
    ("ashby", "iframe#ashby_embed_iframe, iframe[src*='ashbyhq.com']"),
    ("workable", "iframe[src*='apply.workable.com']"),
    ("google_forms", "iframe[src*='/forms/d/e/'][src*='viewform']"),
)

FINGERPRINT_JS = script("fingerprint.js")


@dataclass
class PageAts:
    ats: str = "generic"
    frame: list[int] | None = None  # the iframe holding an embedded form (index path from the top document)
    mark: str = ""  # what gave it away, for the receipt
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ats": self.ats, "frame": self.frame, "mark": self.mark}


def fingerprint(driver: Any) -> PageAts:
    """The ATS that drew the page in ``driver`` (top document and same-origin frames), one script call."""
    try:
        driver.switch_to.default_content()
        got = driver.execute_script(FINGERPRINT_JS, [[n, list(s)] for n, s in MARKS], [list(h) for h in HOSTS],
                                    [list(e) for e in EMBEDS]) or {}
    except WebDriverException:
        return PageAts()
    frame = got.get("frame")
    return PageAts(str(got.get("ats") or "generic"), [int(i) for i in frame] if frame else None, str(got.get("mark") or ""))

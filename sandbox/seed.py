"""The sandbox's deterministic seed: a handful of companies, boards and jobs.

The jobs read like real postings (Indian and remote roles, skills in the text, salaries in INR LPA on
some) so discovery, scoring and the demo find work that looks real. Everything is fixed data except the
posting dates, which are "N days ago" from today so freshness filters keep finding them.

Each job has a short stable ``key`` (used by fault injection and tests) and the id its ATS would use
(Greenhouse: integers, Lever and Ashby: UUIDs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: ATS styles the sandbox can render.
ATS_STYLES = ("greenhouse", "greenhouse_react", "lever", "ashby", "generic", "workday", "linkedin", "naukri")

_NS = uuid.UUID("6f1c2d0e-5a43-4c2b-9d7e-2f0b8a1c3e55")


def stable_uuid(*parts: str) -> str:
    """A UUID that is the same on every run, so URLs and ids in tests never change."""
    return str(uuid.uuid5(_NS, "/".join(parts)))


@dataclass(frozen=True)
class Question:
    """One question on an application form, independent of how an ATS renders it.

    ``kind`` is one of text, email, tel, url, number, textarea, file, select, radio, checkboxes,
    checkbox. ``key`` is stable across styles; each renderer derives the ATS-specific field name.
    """

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    options: tuple[str, ...] = ()
    section: str = "custom"  # custom | eeo


@dataclass(frozen=True)
class Company:
    slug: str
    name: str
    about: str
    site: str  # used by RSS links


@dataclass
class Job:
    """A job posting the sandbox serves through its board API and its form."""

    key: str
    ats: str
    board: str
    company: Company
    native_id: str
    title: str
    location: str
    department: str
    team: str
    workplace: str  # remote | hybrid | onsite
    commitment: str
    skills: tuple[str, ...]
    responsibilities: tuple[str, ...]
    salary_lpa: tuple[int, int] | None = None
    days_ago: int = 3
    listed: bool = True
    questions: tuple[Question, ...] = ()
    extra_locations: tuple[str, ...] = ()

    @property
    def is_remote(self) -> bool:
        return self.workplace == "remote"

    @property
    def posted_at(self) -> datetime:
        today = datetime.now(UTC).replace(hour=9, minute=30, second=0, microsecond=0)
        return today - timedelta(days=self.days_ago)

    @property
    def salary_text(self) -> str | None:
        if not self.salary_lpa:
            return None
        lo, hi = self.salary_lpa
        return f"₹{lo}–{hi} LPA"

    def description_paragraphs(self) -> list[tuple[str, list[str] | str]]:
        """(heading, text or bullet list) blocks: the single source of every description format."""
        blocks: list[tuple[str, list[str] | str]] = [
            (f"About {self.company.name}", self.company.about),
            ("The role", f"We are hiring a {self.title} to join our {self.team} team "
                         f"({self._where()}). {self.commitment}."),
            ("What you will do", list(self.responsibilities)),
            ("What we look for", [f"Hands-on experience with {s}" for s in self.skills]),
        ]
        if self.salary_text:
            blocks.append(("Compensation", f"CTC: {self.salary_text} (fixed), plus ESOPs and health cover."))
        return blocks

    def _where(self) -> str:
        if self.workplace == "remote":
            return f"remote, {self.location}"
        if self.workplace == "hybrid":
            return f"hybrid, {self.location}"
        return f"on-site in {self.location}"

    def description_plain(self) -> str:
        out: list[str] = []
        for heading, body in self.description_paragraphs():
            out.append(heading)
            if isinstance(body, list):
                out.extend(f"- {line}" for line in body)
            else:
                out.append(body)
            out.append("")
        return "\n".join(out).strip() + "\n"

    def description_html(self) -> str:
        from html import escape

        out: list[str] = []
        for heading, body in self.description_paragraphs():
            out.append(f"<h3>{escape(heading)}</h3>")
            if isinstance(body, list):
                out.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in body) + "</ul>")
            else:
                out.append(f"<p>{escape(body)}</p>")
        return "".join(out)


# --- common question sets ---------------------------------------------------------------------------

YES_NO = ("Yes", "No")
NOTICE = ("Immediate", "15 days", "30 days", "60 days", "90 days")
GENDER = ("Male", "Female", "Non-binary", "Decline To Self Identify")
RACE = ("Asian", "Black or African American", "Hispanic or Latino", "White", "Two or More Races",
        "Decline To Self Identify")
VETERAN = ("I am not a protected veteran", "I identify as one or more of the classifications of protected veteran",
           "I don't wish to answer")
DISABILITY = ("Yes, I have a disability (or previously had a disability)", "No, I don't have a disability",
              "I don't wish to answer")

EEO = (
    Question("gender", "Gender", "select", False, GENDER, "eeo"),
    Question("race", "Race", "select", False, RACE, "eeo"),
    Question("veteran_status", "Veteran Status", "select", False, VETERAN, "eeo"),
    Question("disability_status", "Disability Status", "select", False, DISABILITY, "eeo"),
)

STANDARD = (
    Question("linkedin", "LinkedIn Profile", "url", False),
    Question("authorized", "Are you legally authorized to work in India?", "select", True, YES_NO),
    Question("notice", "What is your notice period?", "select", True, NOTICE),
    Question("expected_ctc", "Expected CTC (in LPA)", "text", False),
    Question("relocate", "Are you willing to relocate?", "radio", True, YES_NO),
    Question("source", "How did you hear about us?", "select", False,
             ("LinkedIn", "Naukri", "Referral", "Company website", "Other")),
)

KNOCKOUT = (
    Question("cobol_years", "Years of experience with COBOL", "text", True),
    Question("clearance", "Do you hold a valid security clearance? Explain", "textarea", True),
)


def _q(*questions: Question) -> tuple[Question, ...]:
    return tuple(questions)


# --- companies ---------------------------------------------------------------------------------------

ACME = Company("acmepay", "Acme Pay", "Acme Pay runs UPI and card payments for 40,000 Indian merchants.",
               "acmepay.example")
ZEST = Company("zestcloud", "ZestCloud", "ZestCloud builds developer infrastructure used by teams in 30 countries.",
               "zestcloud.example")
KITE = Company("kitebyte", "KiteByte", "KiteByte makes vernacular learning apps for 12 million students.",
               "kitebyte.example")
NIMBUS = Company("nimbuslabs", "Nimbus Labs", "Nimbus Labs builds analytics for D2C brands in India and SEA.",
                 "nimbuslabs.example")
SAFFRON = Company("saffron", "Saffron Analytics", "Saffron Analytics helps hospitals in Tamil Nadu use their data.",
                  "saffron.example")
GLOBEX = Company("globex", "Globex Corporation", "Globex is a global IT services company.", "globex.example")
INITECH = Company("initech", "Initech", "Initech builds enterprise software.", "initech.example")
HOOLI = Company("hooli", "Hooli India", "Hooli India builds consumer apps.", "hooli.example")


def default_jobs() -> list[Job]:
    """The seed: the same jobs, ids and questions on every run."""
    jobs = [
        # Greenhouse, legacy boards.greenhouse.io forms
        Job("gh-backend", "greenhouse", "acmepay", ACME, "4012001", "Senior Backend Engineer (Python)",
            "Bengaluru, Karnataka, India", "Engineering", "Payments Core", "hybrid", "Full-time",
            ("Python", "Django", "PostgreSQL", "Redis", "AWS", "Kafka"),
            ("Design and run the services that settle merchant payments",
             "Own PostgreSQL schemas and query performance", "Mentor two to three engineers"),
            (30, 45), 2, questions=STANDARD + EEO),
        Job("gh-data", "greenhouse", "acmepay", ACME, "4012002", "Data Engineer",
            "Pune, Maharashtra, India", "Data", "Risk Analytics", "remote", "Full-time",
            ("Python", "SQL", "Apache Spark", "Airflow", "dbt"),
            ("Build batch and streaming pipelines for fraud models", "Keep the warehouse fast and correct"),
            (22, 32), 5, questions=STANDARD + EEO, extra_locations=("Remote - India",)),
        Job("gh-knockout", "greenhouse", "acmepay", ACME, "4012003", "Mainframe Modernisation Engineer",
            "Mumbai, Maharashtra, India", "Engineering", "Core Banking", "onsite", "Full-time",
            ("COBOL", "Java", "DB2", "z/OS"),
            ("Move settlement batch jobs from the mainframe to Java services",),
            None, 9, questions=STANDARD + KNOCKOUT + EEO),
        # Greenhouse, current React job-boards forms
        Job("ghr-frontend", "greenhouse_react", "zestcloud", ZEST, "5023001", "Frontend Engineer (React)",
            "Remote - India", "Engineering", "Console", "remote", "Full-time",
            ("React", "TypeScript", "GraphQL", "CSS", "Jest"),
            ("Build the console that 50,000 developers use daily", "Own accessibility and performance budgets"),
            (25, 38), 1, questions=STANDARD + EEO),
        Job("ghr-sre", "greenhouse_react", "zestcloud", ZEST, "5023002", "Site Reliability Engineer",
            "Hyderabad, Telangana, India", "Infrastructure", "Reliability", "hybrid", "Full-time",
            ("Kubernetes", "Terraform", "Go", "Prometheus", "Linux"),
            ("Run multi-region Kubernetes clusters", "Lead incident reviews and on-call improvements"),
            (28, 40), 4, questions=STANDARD + EEO),
        # Lever
        Job("lever-fullstack", "lever", "kitebyte", KITE, stable_uuid("lever", "kitebyte", "fullstack"),
            "Full Stack Developer", "Remote - India", "Engineering", "Learner Apps", "remote", "Full-time",
            ("Node.js", "React", "MongoDB", "TypeScript", "AWS"),
            ("Ship features to 12 million learners every week", "Work across the API and the web app"),
            (18, 28), 2, questions=STANDARD + EEO),
        Job("lever-ml", "lever", "kitebyte", KITE, stable_uuid("lever", "kitebyte", "ml"),
            "Machine Learning Engineer, NLP", "Bengaluru, India", "Engineering", "AI", "onsite", "Full-time",
            ("Python", "PyTorch", "NLP", "Transformers", "MLOps"),
            ("Train speech and text models for 9 Indian languages", "Take models from notebook to production"),
            (35, 55), 6, questions=STANDARD + EEO),
        Job("lever-knockout", "lever", "kitebyte", KITE, stable_uuid("lever", "kitebyte", "legacy"),
            "Legacy Systems Analyst", "Chennai, India", "IT", "Finance Systems", "onsite", "Contract",
            ("COBOL", "SQL", "Excel"), ("Keep the finance batch system running while it is replaced",),
            None, 11, questions=STANDARD + KNOCKOUT + EEO),
        # Ashby
        Job("ashby-product", "ashby", "nimbuslabs", NIMBUS, stable_uuid("ashby", "nimbuslabs", "product"),
            "Product Engineer", "Remote - India", "Engineering", "Product", "remote", "FullTime",
            ("TypeScript", "Next.js", "GraphQL", "PostgreSQL"),
            ("Own features end to end, from the customer call to the release",),
            (24, 36), 3, questions=STANDARD),
        Job("ashby-ds", "ashby", "nimbuslabs", NIMBUS, stable_uuid("ashby", "nimbuslabs", "ds"),
            "Data Scientist", "Mumbai, India", "Data", "Insights", "hybrid", "FullTime",
            ("Python", "SQL", "Statistics", "Pandas", "scikit-learn"),
            ("Model demand and churn for brands", "Explain results to non-technical teams"),
            (20, 30), 7, questions=STANDARD),
        Job("ashby-unlisted", "ashby", "nimbuslabs", NIMBUS, stable_uuid("ashby", "nimbuslabs", "unlisted"),
            "Founding Designer (confidential)", "Bengaluru, India", "Design", "Design", "onsite", "FullTime",
            ("Figma", "Design systems"), ("Set up the design practice",), None, 12, listed=False,
            questions=STANDARD),
        # A company's own careers site (generic form), discovered through its RSS feed
        Job("generic-python", "generic", "saffron", SAFFRON, "SA-101", "Python Developer",
            "Chennai, Tamil Nadu, India", "Engineering", "Platform", "onsite", "Full-time",
            ("Python", "FastAPI", "PostgreSQL", "Docker"),
            ("Build APIs that hospitals use to share reports", "Write tests and keep deployments boring"),
            (10, 16), 2),
        Job("generic-analyst", "generic", "saffron", SAFFRON, "SA-102", "Healthcare Data Analyst",
            "Remote - India", "Analytics", "Insights", "remote", "Full-time",
            ("SQL", "Power BI", "Python", "Excel"), ("Build dashboards for hospital operations",),
            (8, 12), 4),
        # Account walls (for detection): listed in the aggregator RSS feed
        Job("workday-se", "workday", "globex", GLOBEX, "R-100231", "Software Engineer II",
            "Bengaluru, India", "Technology", "Digital", "hybrid", "Full-time",
            ("Java", "Spring Boot", "Microservices"), ("Build services for banking clients",), (14, 22), 3),
        Job("linkedin-pm", "linkedin", "initech", INITECH, "3901234567", "Associate Product Manager",
            "Gurugram, Haryana, India", "Product", "Product", "onsite", "Full-time",
            ("Product management", "SQL", "Analytics"), ("Run discovery with customers",), (15, 20), 2),
        Job("naukri-qa", "naukri", "hooli", HOOLI, "240611500123", "QA Automation Engineer",
            "Noida, Uttar Pradesh, India", "Engineering", "Quality", "onsite", "Full-time",
            ("Selenium", "Java", "TestNG", "API testing"), ("Automate regression suites",), (8, 14), 1),
    ]
    return jobs


#: Generic-form jobs questions are fixed by the form itself; everything else uses Job.questions.
GENERIC_BOARDS = {"saffron"}
FEED_NAME = "remote-india"

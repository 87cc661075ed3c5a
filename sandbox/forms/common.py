"""What every sandbox form shares: the field specs per job, the page chrome, escaping."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from importlib import resources

from sandbox.seed import Job, Question, stable_uuid


@dataclass
class FieldSpec:
    """One submitted field: its form name, the label a person sees, and whether it is required."""

    name: str
    label: str
    kind: str
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (submitted value, visible text)

    def text_for(self, value: str) -> str:
        for v, t in self.options:
            if v == value:
                return t
        return value


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def static_text(name: str) -> str:
    """A stylesheet or script the sandbox's pages inline, from ``sandbox/forms/static/``."""
    return resources.files("sandbox.forms").joinpath("static", name).read_text(encoding="utf-8")


BASE_CSS = static_text("base.css")


def page(title: str, body: str, *, head: str = "", css: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{e(title)}</title><style>{BASE_CSS}{css}</style>{head}</head>"
        f"<body>{body}</body></html>"
    )


def description_block(job: Job) -> str:
    return f'<div class="job-description">{job.description_html()}</div>'


def _custom(job: Job) -> list[tuple[int, Question]]:
    return [(n, q) for n, q in enumerate(q for q in job.questions if q.section != "eeo")]


def _eeo(job: Job) -> list[Question]:
    return [q for q in job.questions if q.section == "eeo"]


def _gh_answer_name(n: int, q: Question) -> tuple[str, list[tuple[str, str]]]:
    """Legacy Greenhouse answer field name and option values for custom question ``n``."""
    base = f"job_application[answers_attributes][{n}]"
    if q.kind in ("select", "radio") and tuple(q.options) == ("Yes", "No"):
        return f"{base}[boolean_value]", [("1", "Yes"), ("0", "No")]
    if q.kind in ("select", "radio"):
        return (f"{base}[answer_selected_options_attributes][0][question_option_id]",
                [(str(7000 + 10 * n + i), o) for i, o in enumerate(q.options)])
    return f"{base}[text_value]", []


def _lever_card_id(job: Job) -> str:
    return stable_uuid("lever-card", job.key)


def _ashby_id(job: Job, key: str) -> str:
    return stable_uuid("ashby-field", job.key, key)


def field_specs(job: Job) -> list[FieldSpec]:
    """Every field the job's form submits, under the name the form posts it with."""
    specs: list[FieldSpec] = []
    if job.ats == "greenhouse":
        specs += [FieldSpec("job_application[first_name]", "First Name", "text", True),
                  FieldSpec("job_application[last_name]", "Last Name", "text", True),
                  FieldSpec("job_application[email]", "Email", "email", True),
                  FieldSpec("job_application[phone]", "Phone", "tel", True),
                  FieldSpec("job_application[resume]", "Resume/CV", "file", True),
                  FieldSpec("job_application[cover_letter]", "Cover Letter", "file", False),
                  FieldSpec("job_application[cover_letter_text]", "Cover Letter (text)", "textarea", False)]
        for n, q in _custom(job):
            name, opts = _gh_answer_name(n, q)
            specs.append(FieldSpec(name, q.label, "select" if opts else q.kind, q.required, opts))
        for q in _eeo(job):
            specs.append(FieldSpec(f"job_application[{q.key}]", q.label, "select", False,
                                   [(str(i + 1), o) for i, o in enumerate(q.options)]))
    elif job.ats == "greenhouse_react":
        specs += [FieldSpec("first_name", "First Name", "text", True),
                  FieldSpec("last_name", "Last Name", "text", True),
                  FieldSpec("email", "Email", "email", True),
                  FieldSpec("phone", "Phone", "tel", True),
                  FieldSpec("resume", "Resume/CV", "file", True),
                  FieldSpec("cover_letter", "Cover Letter", "file", False)]
        for n, q in _custom(job):
            kind = "combobox" if q.kind in ("select", "radio") else q.kind
            specs.append(FieldSpec(f"question_{9000 + n}", q.label, kind, q.required,
                                   [(o, o) for o in q.options]))
        for q in _eeo(job):
            specs.append(FieldSpec(q.key, q.label, "combobox", False, [(o, o) for o in q.options]))
    elif job.ats == "lever":
        specs += [FieldSpec("resume", "Resume/CV", "file", True),
                  FieldSpec("name", "Full name", "text", True),
                  FieldSpec("email", "Email", "email", True),
                  FieldSpec("phone", "Phone", "tel", False),
                  FieldSpec("location", "Current location", "text", False),
                  FieldSpec("org", "Current company", "text", False),
                  FieldSpec("urls[LinkedIn]", "LinkedIn URL", "url", False),
                  FieldSpec("urls[GitHub]", "GitHub URL", "url", False),
                  FieldSpec("urls[Portfolio]", "Portfolio URL", "url", False)]
        card = _lever_card_id(job)
        for i, q in enumerate(q for _, q in _custom(job) if q.key != "linkedin"):
            specs.append(FieldSpec(f"cards[{card}][field{i}]", q.label, q.kind, q.required,
                                   [(o, o) for o in q.options]))
        specs.append(FieldSpec("comments", "Additional information", "textarea", False))
        lever_eeo = {"gender": "eeo[gender]", "race": "eeo[race]", "veteran_status": "eeo[veteran]",
                     "disability_status": "eeo[disability]"}
        for q in _eeo(job):
            specs.append(FieldSpec(lever_eeo[q.key], q.label, "select", False, [(o, o) for o in q.options]))
    elif job.ats == "ashby":
        specs += [FieldSpec("_systemfield_name", "Name", "text", True),
                  FieldSpec("_systemfield_email", "Email", "email", True),
                  FieldSpec(_ashby_id(job, "phone"), "Phone", "tel", False),
                  FieldSpec("_systemfield_resume", "Resume", "file", True)]
        for _, q in _custom(job):
            kind = "radio" if q.kind in ("radio", "select") and len(q.options) == 2 else q.kind
            specs.append(FieldSpec(_ashby_id(job, q.key), q.label, kind, q.required, [(o, o) for o in q.options]))
    elif job.ats == "generic":
        specs += GENERIC_SPECS
    return specs


GENERIC_SPECS = [
    FieldSpec("fullName", "Full name", "text", True),
    FieldSpec("email", "Email address", "email", True),
    FieldSpec("mobile", "Mobile number", "tel", True),
    FieldSpec("ctc_current", "Current CTC (in LPA)", "text", False),
    FieldSpec("ctc_expected", "Expected CTC (in LPA)", "text", False),
    FieldSpec("notice", "Notice period", "select", True,
              [("", "Select"), ("0", "Immediate"), ("15", "15 days"), ("30", "30 days"), ("60", "60 days"),
               ("90", "90 days")]),
    FieldSpec("relocate", "Are you willing to relocate to Chennai?", "radio", True, [("yes", "Yes"), ("no", "No")]),
    FieldSpec("tools", "Which of these have you used in production?", "checkboxes", False,
              [("python", "Python"), ("sql", "SQL"), ("docker", "Docker"), ("airflow", "Airflow")]),
    FieldSpec("education", "Highest qualification", "dropdown", True,
              [("btech", "B.Tech / B.E."), ("mtech", "M.Tech / M.E."), ("mca", "MCA"), ("bsc", "B.Sc"),
               ("other", "Other")]),
    FieldSpec("python_years", "Years of Python experience", "number", True),
    FieldSpec("cv", "Upload CV", "file", True),
    FieldSpec("links[linkedin]", "LinkedIn URL", "url", False),
    FieldSpec("links[github]", "GitHub URL", "url", False),
    FieldSpec("declaration", "I confirm the above is true", "checkbox", True, [("yes", "checked")]),
]

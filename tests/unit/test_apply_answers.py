"""The answer sheet: only sourced facts, blanks for what the candidate did not say, a person for the rest."""

from __future__ import annotations

from pathlib import Path

from core.apply_engine.answers import Documents, best_option, build_sheet
from core.apply_engine.forms import FormField
from tests.support.apply_helpers import profile_dict


def f(label: str, type_: str = "text", *, required: bool = False, options: list[str] | None = None,
      name: str = "") -> FormField:
    return FormField(key=label, label=label, name=name or label.lower().replace(" ", "_"), type=type_,
                     required=required, options=options or [])


def sheet_of(*fields: FormField, profile: dict | None = None, **kw):
    return build_sheet(list(fields), profile or profile_dict(), Documents(resume=Path("/r/resume.pdf")), **kw)


def answers(sheet) -> dict:
    return {a.label: (a.value, a.source) for a in sheet.answers}


def test_identity_and_links_come_from_the_profile_with_full_confidence():
    s = sheet_of(f("First Name", required=True), f("Surname"), f("Full name"), f("Email address", "email"),
                 f("LinkedIn Profile", "url"), f("Resume/CV", "file", required=True))
    got = answers(s)
    assert got["First Name"] == ("Asha", "identity.first_name")
    assert got["Surname"] == ("Raman", "identity.last_name")
    assert got["Full name"][0] == "Asha Raman"
    assert got["LinkedIn Profile"] == ("https://www.linkedin.com/in/asha-raman", "links.linkedin")
    assert got["Resume/CV"] == ("/r/resume.pdf", "candidate.resume_path")
    assert all(a.confidence == 1.0 for a in s.answers) and s.unanswered() == []


def test_demographic_questions_decline_unless_the_candidate_set_them():
    gender = f("Gender", "select", options=["Male", "Female", "Decline To Self Identify"])
    veteran = f("Veteran Status", "select", options=["I am not a protected veteran", "I don't wish to answer"])
    assert answers(sheet_of(gender, veteran)) == {"Gender": ("Decline To Self Identify", "policy:decline"),
                                                  "Veteran Status": ("I don't wish to answer", "policy:decline")}
    prof = {**profile_dict(), "eeo": {"gender": "Female"}}
    assert answers(sheet_of(gender, profile=prof))["Gender"] == ("Female", "eeo.gender")
    free_text = f("Race / ethnicity")
    assert answers(sheet_of(free_text))["Race / ethnicity"] == (None, None)


def test_salary_is_blank_unless_set_and_a_required_salary_goes_to_a_person():
    prof = profile_dict()
    prof["work"].pop("current_ctc_lpa")
    s = sheet_of(f("Expected CTC (in LPA)"), f("Current CTC", required=True), profile=prof)
    assert answers(s)["Expected CTC (in LPA)"] == (None, None)
    assert s.unanswered() == ["Current CTC"]


def test_required_question_without_a_sourced_answer_is_named():
    s = sheet_of(f("Do you hold an active security clearance?", "select", required=True, options=["Yes", "No"]),
                 f("Years of experience with COBOL", required=True), f("Anything else?"))
    assert s.unanswered() == ["Do you hold an active security clearance?", "Years of experience with COBOL"]


def test_declaration_is_ticked_only_when_every_answer_is_sourced():
    decl = f("I certify that the above is true and complete", "checkbox", required=True)
    ok = sheet_of(f("Email", "email", required=True), decl)
    assert answers(ok)[decl.label] == (True, "declaration: every answer sourced")
    blocked = sheet_of(f("Email", "email", required=True), f("Favourite colour", required=True), decl)
    assert answers(blocked)[decl.label] == (None, None)
    assert blocked.unanswered() == ["Favourite colour"]


def test_choices_map_facts_onto_the_forms_own_options():
    s = sheet_of(f("Are you legally authorized to work in India?", "radio", options=["Yes", "No"]),
                 f("Will you now or in the future require sponsorship?", "select", options=["Yes", "No"]),
                 f("Notice period", "select", options=["Immediate", "1 month", "2 months"]),
                 f("How many years of Python experience do you have?", "select", options=["0-2", "3-5", "6+"]))
    got = answers(s)
    assert got["Are you legally authorized to work in India?"][0] == "Yes"
    assert got["Will you now or in the future require sponsorship?"][0] == "No"
    assert got["Notice period"][0] == "1 month"  # 30 days
    assert got["How many years of Python experience do you have?"] == ("3-5", "skills_years.Python")


def test_answer_bank_answers_its_questions_and_edits_win_by_name_or_label():
    heard = f("How did you hear about us?", "select", options=["LinkedIn", "Company website", "Other"])
    s = sheet_of(heard, f("Phone", "tel", name="phone"))
    assert answers(s)["How did you hear about us?"] == ("Company website", "answers[How did you hear about us?]")
    edited = sheet_of(heard, f("Phone", "tel", name="phone"), edits={"phone": "+91 90000 11111",
                                                                      "how did you hear about us": "LinkedIn"})
    got = answers(edited)
    assert got["Phone"] == ("+91 90000 11111", "operator")
    assert got["How did you hear about us?"] == ("LinkedIn", "operator")


def test_best_option_refuses_to_guess():
    assert best_option("Chennai", ["Bengaluru", "Pune"]) is None
    assert best_option(True, ["Yes, I am", "No, I am not"]) == "Yes, I am"
    assert best_option(7, ["Less than 2 years", "2-5 years", "More than 5 years"]) == "More than 5 years"

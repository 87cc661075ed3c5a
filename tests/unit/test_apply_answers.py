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


def test_an_answer_from_the_candidates_reply_is_labelled_as_theirs():
    why = f("Why do you want to join us?", "text", name="why", required=True)
    s = sheet_of(why, f("Phone", "tel", name="phone"), edits={"why": "Your data platform", "phone": "+91 90000 11111"},
                 edit_sources={"why": "candidate (whatsapp reply)"})
    got = answers(s)
    assert got["Why do you want to join us?"] == ("Your data platform", "candidate (whatsapp reply)")
    assert got["Phone"] == ("+91 90000 11111", "operator")


def test_best_option_refuses_to_guess():
    assert best_option("Chennai", ["Bengaluru", "Pune"]) is None
    assert best_option(True, ["Yes, I am", "No, I am not"]) == "Yes, I am"
    assert best_option(7, ["Less than 2 years", "2-5 years", "More than 5 years"]) == "More than 5 years"


def _indian(**work) -> dict:
    p = profile_dict()
    p["work"] = {**p["work"], "current_ctc_lpa": 18, "expected_ctc_lpa": 24, **work}
    return p


def test_money_is_converted_only_where_the_question_names_its_unit():
    s = sheet_of(f("Current CTC (in Lakhs)"), f("Expected CTC (per month, in INR)", "number"),
                 f("Current Annual CTC (INR)", "number"), f("Expected CTC"), f("Current CTC", "number"),
                 f("Desired salary (annual, USD)"), f("Desired Pay"), f("Salary expectations (gross per year in EUR)", "number"),
                 f("Current CTC range", "select", options=["0-10 LPA", "10-20 LPA", "20-30 LPA"]), profile=_indian())
    got = {a.label: a for a in s.answers}
    assert got["Current CTC (in Lakhs)"].value == "18"
    assert got["Expected CTC (per month, in INR)"].value == "200000"
    assert got["Current Annual CTC (INR)"].value == "1800000"
    assert got["Expected CTC"].value == "24 LPA"  # an Indian form's text box without a unit
    assert got["Current CTC range"].value == "10-20 LPA"
    for unsure in ("Current CTC", "Desired salary (annual, USD)", "Desired Pay", "Salary expectations (gross per year in EUR)"):
        assert not got[unsure].answered and got[unsure].note, unsure
    assert "USD" in got["Desired salary (annual, USD)"].note and "EUR" in got["Salary expectations (gross per year in EUR)"].note


def test_authorized_to_work_takes_a_per_country_list_a_table_and_a_boolean():
    yes_no = ["Yes", "No"]
    qs = [f("Are you legally authorized to work in India?", "select", options=yes_no),
          f("Are you authorized to work in the United States?", "select", options=yes_no),
          f("Will you require visa sponsorship to work in the US?", "select", options=yes_no),
          f("Are you legally authorized to work here?", "select", options=yes_no)]
    listed = {a.label: a.value for a in sheet_of(*qs, profile=_indian(authorized_to_work=["India"])).answers}
    assert list(listed.values()) == ["Yes", "No", "Yes", None]  # no country named: a person decides
    table = {a.label: a.value for a in sheet_of(*qs, profile=_indian(authorized_to_work={"India": True, "USA": False})).answers}
    assert list(table.values()) == ["Yes", "No", "Yes", None]
    boolean = {a.label: a.value for a in sheet_of(*qs, profile=_indian(authorized_to_work=True, needs_sponsorship=False)).answers}
    assert list(boolean.values()) == ["Yes", "Yes", "No", "Yes"]


def test_an_answer_of_the_wrong_type_is_never_filled():
    s = sheet_of(f("Notice period", "date"), f("Notice period (weeks)", "number"),
                 f("Do you have a non-compete with your current employer?", "select", options=["Yes", "No"]),
                 f("Current company"), profile=_indian(notice_period_days=30))
    got = {a.label: a for a in s.answers}
    assert not got["Notice period"].answered and "date" in got["Notice period"].note
    assert not got["Notice period (weeks)"].answered and "weeks" in got["Notice period (weeks)"].note
    assert not got["Do you have a non-compete with your current employer?"].answered
    assert got["Current company"].value == "Acme Analytics"


def test_place_relocation_and_former_employers_are_derived_with_their_source():
    p = _indian()
    p["identity"]["location"] = "Bengaluru, India"
    p["experience"] = [{"employer": "Infosys"}]
    yes_no = ["Yes", "No"]
    s = sheet_of(f("Do you currently reside in India?", "select", options=yes_no), f("Country", "select", options=["Germany", "India"]),
                 f("City"), f("Are you willing to relocate to Pune?", "select", options=yes_no),
                 f("Are you willing to relocate to Stockholm?", "select", options=yes_no),
                 f("Have you worked at Infosys before?", "select", options=yes_no),
                 f("Have you previously been employed by Contoso?", "select", options=yes_no),
                 f("Phone country code", "select", options=["United States (+1)", "India (+91)"]), f("Phone", "tel"),
                 profile=p)
    got = {a.label: (a.value, a.source, a.confidence) for a in s.answers}
    assert got["Do you currently reside in India?"][:2] == ("Yes", "identity.location")
    assert got["Country"][0] == "India" and got["City"][0] == "Bengaluru"
    assert got["Are you willing to relocate to Pune?"] == ("Yes", "work.relocate_to", 1.0)
    assert got["Are you willing to relocate to Stockholm?"] == ("No", "work.relocate_to", 0.8)
    assert got["Have you worked at Infosys before?"][:2] == ("Yes", "experience[].employer")
    assert got["Have you previously been employed by Contoso?"][0] == "No"
    assert got["Phone country code"][0] == "India (+91)" and got["Phone"][0] == "9845000000"


def test_dates_come_from_the_profile_in_the_format_the_control_takes():
    import datetime as dt

    prof = _indian(notice_period_days=30)
    prof["identity"]["date_of_birth"] = "1994-05-17"
    text_dob = f("Date of birth")
    text_dob.placeholder = "DD/MM/YYYY"
    start_text = f("Earliest start date")
    start_text.placeholder = "mm/dd/yyyy"
    s = sheet_of(f("Birth date", "date"), text_dob, f("When can you start?", "date"), start_text,
                 f("When can you join?"), profile=prof)
    got = {a.label: a for a in s.answers}
    day = dt.date.today() + dt.timedelta(days=30)
    assert (got["Birth date"].value, got["Birth date"].source) == ("1994-05-17", "identity.date_of_birth")
    assert got["Date of birth"].value == "17/05/1994" and got["Date of birth"].raw == dt.date(1994, 5, 17)
    assert got["When can you start?"].value == day.isoformat()
    assert got["When can you start?"].source == "work.notice_period_days (today + 30 days)"
    assert got["Earliest start date"].value == day.strftime("%m/%d/%Y") and got["Earliest start date"].raw == day
    assert got["When can you join?"].value == "30 days"  # a text box naming no date format: the notice period itself
    unknown = sheet_of(f("Earliest start date", "date", required=True), f("Date of birth", "date"),
                       profile=_indian(notice_period_days=None))
    got = {a.label: a for a in unknown.answers}
    assert not got["Earliest start date"].answered and "notice_period_days" in got["Earliest start date"].note
    assert not got["Date of birth"].answered  # no date of birth in the profile: never guessed
    assert unknown.unanswered() == ["Earliest start date"]


def test_a_profile_files_date_of_birth_is_a_date_stored_as_iso_text(tmp_path):
    import pytest

    from core.candidates.profile import load_profile_file
    from core.errors import InvalidInput

    p = tmp_path / "p.toml"
    p.write_text('[identity]\nfirst_name = "Asha"\ndate_of_birth = 1994-05-17\n')
    assert load_profile_file(p)["identity"]["date_of_birth"] == "1994-05-17"
    p.write_text('[identity]\nfirst_name = "Asha"\ndate_of_birth = "17/05/1994"\n')
    with pytest.raises(InvalidInput, match="date_of_birth"):
        load_profile_file(p)


def test_an_answer_longer_than_the_fields_maxlength_is_written_shorter_or_left_for_a_person():
    phone, link, essay = f("Mobile", "tel"), f("Portfolio"), f("How did you hear about us?", "textarea")
    phone.maxlength, link.maxlength, essay.maxlength = 10, 16, 5
    prof = profile_dict()
    prof["links"]["portfolio"] = "https://www.asharaman.dev/"
    got = {a.label: a for a in sheet_of(phone, link, essay, profile=prof).answers}
    assert got["Mobile"].value == "9845000000" and "10 characters" in got["Mobile"].source
    assert got["Portfolio"].value == "asharaman.dev"
    assert not got["How did you hear about us?"].answered and "5 characters" in got["How did you hear about us?"].note


def test_experience_asked_as_years_and_months_side_by_side():
    years = f("Total Experience (Years)", "select", options=[str(i) for i in range(31)])
    months = f("Total Experience (Months)", "select", options=[str(i) for i in range(12)])
    got = answers(sheet_of(years, months))
    assert got["Total Experience (Years)"][0] == "5" and got["Total Experience (Months)"][0] == "0"
    prof = profile_dict()
    prof["work"]["years_experience"] = 9.4  # as the resume parser rounds it: about 9 years 5 months
    s = sheet_of(years, months, profile=prof)
    by = {a.label: a for a in s.answers}
    assert by["Total Experience (Years)"].value == "9" and by["Total Experience (Months)"].value == "5"
    assert by["Total Experience (Months)"].confidence < 0.9  # may be a month off: the sheet says it is less sure


def test_a_ctc_asked_as_lakhs_and_thousands_and_an_immediate_joiner():
    prof = profile_dict()
    prof["work"]["current_ctc_lpa"] = 18.5
    lakhs = f("Current CTC (Lakhs)", "select", options=[str(i) for i in range(100)])
    thousands = f("Current CTC (Thousands)", "select", options=[str(i) for i in range(0, 100, 5)])
    joiner = f("Are you an immediate joiner?", "radio", options=["Yes", "No"])
    got = answers(sheet_of(lakhs, thousands, joiner, profile=prof))
    assert got["Current CTC (Lakhs)"][0] == "18" and got["Current CTC (Thousands)"][0] == "50"
    assert got["Are you an immediate joiner?"] == ("No", "work.notice_period_days")  # 30 days' notice
    prof["work"]["notice_period_days"] = 0
    assert answers(sheet_of(joiner, profile=prof))["Are you an immediate joiner?"][0] == "Yes"


def test_a_highest_qualification_given_as_levels_and_a_preferred_location_from_the_preferences():
    level = f("Highest qualification", "select", options=["10th", "12th", "Diploma", "Graduate", "Post Graduate"])
    where = f("Preferred location", "select", options=["Bengaluru", "Chennai", "Pune", "Hyderabad"])
    s = sheet_of(level, where)
    by = {a.label: a for a in s.answers}
    assert by["Highest qualification"].value == "Graduate"  # a B.Tech
    assert by["Preferred location"].value is None  # where the candidate lives is not where they want to work
    assert "preferences.locations" in by["Preferred location"].note
    prof = profile_dict()
    prof["preferences"] = {"locations": ["Pune", "Chennai"]}
    prof["education"] = [{"institution": "IIM Ahmedabad", "degree": "MBA"}] + prof["education"]
    got = answers(sheet_of(level, where, profile=prof))
    assert got["Preferred location"] == ("Pune", "preferences.locations")
    assert got["Highest qualification"][0] == "Post Graduate"


def test_skills_asked_as_tick_boxes_or_yes_no_come_from_the_candidates_own_skills():
    prof = profile_dict()
    prof["skills"] = ["Python", "SQL", "Airflow", "PostgreSQL"]
    used = f("Which of these have you used at work?", "checkboxes", options=["Python", "SQL", "Spark", "Tableau"])
    kafka = f("Do you have experience with Kafka?", "radio", options=["Yes", "No"])
    both = f("Have you worked with Airflow and Postgres?", "radio", options=["Yes", "No"])
    acme = f("Have you worked for Acme Analytics before?", "radio", options=["Yes", "No"])
    s = sheet_of(used, kafka, both, acme, profile=prof)
    by = {a.label: a for a in s.answers}
    assert by["Which of these have you used at work?"].value == ["Python", "SQL"]  # never Spark or Tableau
    assert by["Do you have experience with Kafka?"].value is None  # not in the resume is no proof of a no
    assert by["Have you worked with Airflow and Postgres?"].value == "Yes"  # tools, not an employer
    assert by["Have you worked for Acme Analytics before?"].value == "Yes"  # an employer, as before

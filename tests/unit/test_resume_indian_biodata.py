"""Resumes in the shapes many Indian job seekers write them: labelled personal details, "EDUCATIONAL
QUALIFICATION" as a heading, education as sentences or as a table with a "Board/University" column, and roles
told in the summary ("Currently working with X as Y from Jul 2020 to till date"). Every person here is made up."""

from __future__ import annotations

from pathlib import Path

from agents.resume_parse import parse_resume
from core.candidates.resume.parse import parse_education, parse_experience, prose_roles, split_sections

BIODATA = """RESUME

Name : Suresh Kumar Yadav
Mobile No. : 9876543210
E-mail : suresh.yadav.fake@example.in
Address : H.No. 12-3-45, Kukatpally, Hyderabad - 500072

CAREER OBJECTIVE
To work in a challenging environment where I can utilize my skills.

PROFESSIONAL SUMMARY
* 4.5 years of experience in Java, Spring Boot and Microservices.
* Currently working with Infosys Ltd as Senior Systems Engineer from Jul 2020 to till date.
* Previously worked with Tech Mahindra as Associate Software Engineer from Jan 2019 to Jun 2020.

TECHNICAL SKILLS
Languages : Java, SQL
Frameworks : Spring Boot, Hibernate
Tools : Jenkins, Git, JIRA
Databases : Oracle, MySQL

EDUCATIONAL QUALIFICATION
B.Tech (ECE) from JNTU Hyderabad with 72% in 2018.
Intermediate (MPC) from Sri Chaitanya Junior College with 89% in 2014.
SSC from ZPHS with 9.2 CGPA in 2012.

PERSONAL DETAILS
Father's Name : Ramesh Yadav
Date of Birth : 15-08-1996
Languages Known : English, Hindi, Telugu
Current CTC : 6.5 LPA
Expected CTC : 10 LPA
Notice Period : 60 days

DECLARATION
I hereby declare that the above information is true to the best of my knowledge.
"""


def test_a_biodata_resume_keeps_every_section_apart(tmp_path: Path) -> None:
    path = tmp_path / "suresh.txt"
    path.write_text(BIODATA)
    profile = parse_resume(path)
    # the singular heading starts the education section: it is neither a skill nor lost
    assert "EDUCATIONAL QUALIFICATION" not in profile["skills"]
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in profile["education"]] == [
        ("B.Tech", "ECE", "JNTU Hyderabad", "2018"),
        ("Intermediate", "MPC", "Sri Chaitanya Junior College", "2014"),
        ("SSC", None, "ZPHS", "2012"),
    ]
    # "Tools : ..." inside the skills section is one more labelled line, not a heading that eats its label
    assert {"Hibernate", "Jenkins", "Git", "JIRA", "Oracle", "MySQL"} <= set(profile["skills"])
    assert profile["work"]["notice_period_days"] == 60
    assert profile["work"]["current_ctc_lpa"] == 6.5
    assert profile["work"]["expected_ctc_lpa"] == 10.0


def test_roles_told_in_the_summary_are_read_and_sent_to_a_person(tmp_path: Path) -> None:
    path = tmp_path / "suresh.txt"
    path.write_text(BIODATA)
    profile = parse_resume(path)
    assert [(e["employer"], e["title"], e["start"], e["end"]) for e in profile["experience"]] == [
        ("Infosys Ltd", "Senior Systems Engineer", "2020-07", "present"),
        ("Tech Mahindra", "Associate Software Engineer", "2019-01", "2020-06"),
    ]
    assert profile["work"]["current_company"] == "Infosys Ltd"
    # read from sentences, so below the bar: a person confirms them before they are used to apply
    assert profile["confidence"]["experience"] < 0.8
    assert "experience" in profile["to_confirm"]


def test_prose_roles_need_a_title_an_employer_and_dates() -> None:
    roles = prose_roles(["Working as QA Engineer in Persistent Systems, Pune since March 2021.",
                         "Earlier I was associated with Cognizant as Test Analyst from 2017 to 2021."])
    assert [(r["employer"], r["title"], r["location"], r["start"], r["end"]) for r in roles] == [
        ("Persistent Systems", "QA Engineer", "Pune", "2021-03", "present"),
        ("Cognizant", "Test Analyst", None, "2017", "2021"),
    ]
    # no dates, or no job title: a sentence about work, not a role
    assert prose_roles(["Worked with the sales team as a volunteer during festivals."]) == []
    assert prose_roles(["Currently working with Infosys as Senior Systems Engineer."]) == []


def test_an_education_table_is_read_by_its_header_and_a_board_is_not_a_field() -> None:
    head, sections = split_sections([
        "ACADEMIC QUALIFICATION",
        "Qualification        Board/University        Year        Percentage",
        "B.Tech (CSE)         AKTU, Lucknow           2023        78.4%",
        "12th (CBSE)          DPS Noida               2019        91%",
        "10th (ICSE)          St. Mary's School       2017        9.6 CGPA",
    ])
    assert head == []
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in parse_education(sections["education"])] == [
        ("B.Tech", "CSE", "AKTU, Lucknow", "2023"),
        ("12th", None, "DPS Noida", "2019"),
        ("10th", None, "St. Mary's School", "2017"),
    ]


def test_the_part_after_a_degree_is_not_its_field_when_it_is_the_institution() -> None:
    entries = parse_education(["MBA (Business Analytics), Amrita School of Business, Coimbatore, 2017",
                               "B.Com, St. Teresa's College, Ernakulam, 2015"])
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in entries] == [
        ("MBA", "Business Analytics", "Amrita School of Business, Coimbatore", "2017"),
        ("B.Com", None, "St. Teresa's College, Ernakulam", "2015"),
    ]


def test_headings_are_known_in_the_singular_and_the_plural() -> None:
    lines = ["Key Skill", "Python", "Academic Qualifications", "B.E., PSG College of Technology, 2019",
             "Strengths", "Quick learner", "Project", "Ledger app", "Hobbies", "Chess"]
    _, sections = split_sections(lines)
    assert sections["skills"] == ["Python"]
    assert sections["education"] == ["B.E., PSG College of Technology, 2019"]
    assert sections["other"] == ["Quick learner", "Chess"]
    assert sections["projects"] == ["Ledger app"]


def test_dates_as_indian_resumes_write_them() -> None:
    roles = parse_experience([
        "Senior Analyst, Mphasis Ltd          Jul'21 - Present",
        "Analyst, Hexaware Technologies        From 01-Jul-2019 to 31-Mar-2021",
        "Trainee, Zensar Technologies          Aug 2018 - Till now",
    ])
    assert [(r["employer"], r["start"], r["end"], r["guessed"]) for r in roles] == [
        ("Mphasis Ltd", "2021-07", "present", []),
        ("Hexaware Technologies", "2019-07", "2021-03", []),
        ("Zensar Technologies", "2018-08", "present", []),
    ]


def test_a_degrees_field_comes_after_in_and_a_school_board_is_never_a_field() -> None:
    entries = parse_education([
        "Bachelor of Engineering (B.E.) in Computer Engineering, Savitribai Phule Pune University, 2016 - 62.5%",
        "HSC, Maharashtra State Board, 2012",
        "Completed B.E. in Mechanical Engineering from Anna University in 2014 with 7.8 CGPA",
        "Class XII, CBSE Board, Kendriya Vidyalaya, 2012",
    ])
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in entries] == [
        ("Bachelor of Engineering (B.E.)", "Computer Engineering", "Savitribai Phule Pune University", "2016"),
        ("HSC", None, "", "2012"),
        ("B.E.", "Mechanical Engineering", "Anna University", "2014"),
        ("Class XII", None, "Kendriya Vidyalaya", "2012"),
    ]


NAUKRI = """Vikram Singh Rathore
+91-9829012345
vikram.rathore.fake@example.com
Jaipur, Rajasthan

Resume Headline
Java Full Stack Developer with 3.6 years of experience in Spring Boot and Angular

Key Skills
Java, Spring Boot, Angular, MySQL

Employment
Software Engineer
Nucleus Software Exports Ltd
Dec 2022 to Present (2 years 1 month)

Education
B.Tech/B.E., Computers, 2021
Rajasthan Technical University, Kota

IT Skills
Skills        Version        Last Used        Experience
Hibernate     5              2024             3 Years 6 Months
Angular       14             2024             2 Years
"""


def test_a_naukri_resume_headline_skill_table_and_two_named_degree(tmp_path: Path) -> None:
    path = tmp_path / "vikram.txt"
    path.write_text(NAUKRI)
    profile = parse_resume(path)
    assert profile["summary"].startswith("Java Full Stack Developer with 3.6 years")
    # the IT skills table: each row's skill, never its header, version, year or length of use
    assert profile["skills"] == ["Java", "Spring Boot", "Angular", "MySQL", "Hibernate"]
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in profile["education"]] == [
        ("B.Tech/B.E", "Computers", "Rajasthan Technical University, Kota", "2021")]
    assert [(e["employer"], e["title"], e["start"]) for e in profile["experience"]] == [
        ("Nucleus Software Exports Ltd", "Software Engineer", "2022-12")]


def test_roles_told_as_sentences_in_the_experience_section_are_never_read_by_word_order() -> None:
    """'Working as X in Y, Hyderabad from Jun 2019 to till date' once gave the employer 'Hyderabad from' at
    0.95: now the sentence is read for its title, employer and place, and a person confirms them."""
    from core.candidates.resume.parse import parse_lines

    profile = parse_lines([
        "Sandeep Reddy", "sandeep.fake@example.com", "WORK EXPERIENCE",
        " Working as Senior Software Engineer in Tata Consultancy Services, Hyderabad from Jun 2019 to till date.",
        " Worked as Software Engineer in Cognizant Technology Solutions, Chennai from Aug 2017 to May 2019.",
    ])
    assert [(e["employer"], e["title"], e["location"], e["start"], e["end"]) for e in profile["experience"]] == [
        ("Tata Consultancy Services", "Senior Software Engineer", "Hyderabad", "2019-06", "present"),
        ("Cognizant Technology Solutions", "Software Engineer", "Chennai", "2017-08", "2019-05"),
    ]
    assert "experience" in profile["to_confirm"]


def test_client_projects_inside_a_role_are_that_roles_text_not_roles_at_the_client() -> None:
    roles = parse_experience([
        "Organisation: Infosys Limited", "Designation: Technology Analyst", "Duration: Jul 2016 - Present",
        "Project 1: Retail Banking Portal", "Client: Barclays", "Role: Developer", "Duration: Jan 2020 - Present",
        " - Built Angular screens.",
        "Project 2: Claims Processing", "Client: Allianz", "Role: Developer", "Duration: Jul 2016 - Dec 2019",
    ])
    assert [(r["employer"], r["title"], r["start"], r["end"]) for r in roles] == [
        ("Infosys Limited", "Technology Analyst", "2016-07", "present")]
    assert "Project (client Barclays, Developer, Jan 2020 - Present)" in roles[0]["bullets"]
    assert "Built Angular screens." in roles[0]["bullets"]
    # a client engagement outside any role stays a role of its own (a consultant's client)
    alone = parse_experience(["Client: Barclays", "Role: Consultant", "Duration: Jan 2020 - Present"])
    assert [(r["employer"], r["title"]) for r in alone] == [("Barclays", "Consultant")]


def test_a_long_line_of_role_words_is_text_and_is_read_in_linear_time() -> None:
    """A line that repeats "working with x as y" 4,000 times once took minutes to read (the sentence pattern
    backtracked); a line that long is no sentence telling a role, and the whole resume reads at once."""
    from core.candidates.resume.parse import parse_lines

    line = "working with x as y " * 4000
    assert prose_roles([line]) == []
    profile = parse_lines(["Asha Person", "EXPERIENCE", line + " from 2019 to 2020", "EDUCATION",
                           "B.Tech from " + "x with 7 " * 4000])
    assert profile["confidence"]["experience"] <= 0.7


def test_a_school_board_in_brackets_is_no_field_of_study() -> None:
    entries = parse_education(["Class XII (CBSE) – Lucknow Public School | 2020 | 88.4%",
                               "12th (ICSE) from St. Xavier's School in 2016 with 91%"])
    assert [(e["degree"], e["field"], e["institution"], e["end"]) for e in entries] == [
        ("Class XII", None, "Lucknow Public School", "2020"),
        ("12th", None, "St. Xavier's School", "2016"),
    ]

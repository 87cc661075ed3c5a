"""Templates render in English and Hindi, escape outside text in HTML, and an operator's copy wins."""

from __future__ import annotations

import pytest

from core.notify.templates import LANGUAGES, TEMPLATES, TemplateProblem, Templates


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_in_every_language(name, language):
    out = Templates().render(name, language, {"candidate_name": "Asha", "job_title": "Data Engineer",
                                              "company": "Acme", "question": "Notice period?",
                                              "subject": "Following up", "body": "Hello,\n\nThank you."})
    assert out.subject and out.text and out.html.startswith("<!doctype html>")
    assert f'lang="{language}"' in out.html


def test_a_follow_up_to_an_employer_is_its_own_subject_and_body_with_line_breaks_kept():
    out = Templates().render("employer_follow_up", "en", {"subject": "Following up on my application",
                                                          "body": "Hello,\n\nI applied on 2 December.\n\nAsha\x1b[2J"})
    assert out.subject == "Following up on my application"
    assert out.text == "Hello,\n\nI applied on 2 December.\n\nAsha"  # control sequences stripped
    assert "<p>Hello,</p>" in out.html and "STOP" not in out.text


def test_hindi_needs_answer_names_the_question():
    out = Templates().render("needs_answer", "hi", {"company": "Acme", "question": "आपकी नोटिस अवधि?"})
    assert "आपकी नोटिस अवधि?" in out.text and "प्रश्न" in out.subject


def test_outside_text_is_escaped_in_html_and_literal_in_text():
    out = Templates().render("application_submitted", "en",
                             {"company": "<script>alert(1)</script>", "job_title": "A & B",
                              "documents": ["resume.pdf", "<b>x</b>.pdf"]})
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html and "A &amp; B" in out.html
    assert "<script>alert(1)</script>" in out.text and "resume.pdf, <b>x</b>.pdf" in out.text


def test_control_characters_from_outside_are_stripped():
    out = Templates().render("needs_answer", "en", {"question": "Notice\x1b[31m period\x00?"})
    assert "\x1b" not in out.text and "\x00" not in out.text


def test_an_operators_copy_wins_over_the_packaged_template(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "test.txt").write_text("Custom subject\nHello from the operator at {{ sent_at }}.\n")
    out = Templates(tmp_path).render("test", "en", {"sent_at": "noon"})
    assert out.subject == "Custom subject" and out.text == "Hello from the operator at noon."
    # Files the operator did not copy still come from the package.
    assert Templates(tmp_path).render("weekly_summary", "en", {}).subject.startswith("Your week")


def test_a_broken_operator_template_is_a_clear_error_naming_the_file(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "test.txt").write_text("Subject\n{{ no_such_name }}\n")
    with pytest.raises(TemplateProblem, match=r"en/test.txt: UndefinedError"):
        Templates(tmp_path).render("test", "en", {})


def test_unknown_language_falls_back_to_english_and_unknown_template_is_refused():
    assert Templates().render("test", "fr", {}).subject == "Talvix test message"
    with pytest.raises(TemplateProblem, match="unknown notification template"):
        Templates().render("nope", "en", {})


def test_cloud_template_parameters_follow_the_declared_order():
    out = Templates().render("interview_invitation", "en", {"candidate_name": "Asha", "job_title": "SRE", "company": "Zed"})
    assert out.params == ["Asha", "SRE", "Zed"]

"""Fit scoring: components, required over nice, knock-outs, thresholds from talvix.toml, vectorised = per pair."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import load_settings
from core.jobs.jd import parse_jd
from core.scoring import fit as scoring


def job(jid, title, description, location="Bengaluru, India", workplace="hybrid", **parsed_over):
    j = {"id": jid, "title": title, "description": description, "location": location, "workplace": workplace}
    j["parsed"] = {**parse_jd(j), **parsed_over}
    return j


BACKEND = job(1, "Backend Engineer", "Requirements:\n- 3+ years of experience with Python, Django and PostgreSQL\n"
                                     "Nice to have:\n- Kubernetes\n- Terraform\nSalary 20-30 LPA")


def candidate(cid=1, skills=("Python", "Django", "PostgreSQL"), years=4.0, location="Bangalore", **work):
    return (cid, {"skills": list(skills), "summary": "Backend developer building Python and Django APIs",
                  "work": {"years_experience": years, **work}, "identity": {"location": location},
                  "preferences": {}})


def run(cands, jobs, **weights):
    index = scoring.index_jobs(jobs)
    return scoring.score(scoring.candidate_features(cands, index), index, scoring.Weights(**weights))


def test_a_matching_candidate_is_an_apply_with_a_breakdown():
    result = run([candidate(expected_ctc_lpa=22)], [BACKEND])
    bd = result.breakdown(0, 0)
    assert bd["decision"] == "apply" and bd["score"] >= 70
    assert set(bd["components"]) == set(scoring.COMPONENTS)
    skills = bd["components"]["skills"]
    assert skills["matched_required"] == ["Python", "Django", "PostgreSQL"]
    assert skills["missing_nice"] == ["Kubernetes", "Terraform"]
    assert bd["components"]["location"]["score"] == 1.0  # Bangalore is Bengaluru
    assert bd["components"]["salary"]["score"] == 1.0 and bd["knockouts"] == []
    assert abs(sum(c["weight"] for c in bd["components"].values()) - 1.0) < 1e-6


def test_required_skills_weigh_more_than_nice_to_have():
    has_required = candidate(1, skills=("Python", "Django"))
    has_nice = candidate(2, skills=("Kubernetes", "Terraform"))
    result = run([has_required, has_nice], [BACKEND])
    skill = [result.breakdown(i, 0)["components"]["skills"]["score"] for i in (0, 1)]
    assert skill[0] > skill[1] > 0


def test_years_far_short_knock_out_even_a_high_score():
    senior = job(2, "Staff Engineer", "Requirements:\n- 10+ years of experience with Python and Django", "Remote", "remote")
    result = run([candidate(years=2)], [senior])
    bd = result.breakdown(0, 0)
    assert "years" in bd["knockouts"] and bd["decision"] == "skip"
    assert result.decision[0, 0] == 0


def test_onsite_job_elsewhere_knocks_out_unless_the_candidate_would_relocate():
    mumbai = job(3, "Backend Engineer", BACKEND["description"], "Mumbai, India", "onsite")
    stays = candidate(1)
    moves = (2, {**candidate(2)[1], "work": {"years_experience": 4, "relocate_to": ["Mumbai"]}})
    result = run([stays, moves], [mumbai])
    assert "location" in result.breakdown(0, 0)["knockouts"]
    assert result.breakdown(1, 0)["knockouts"] == [] and result.breakdown(1, 0)["components"]["location"]["score"] == 1.0


def test_remote_job_matches_anyone_open_to_remote():
    remote = job(4, "Backend Engineer", BACKEND["description"], "Remote", "remote")
    no_remote = (2, {**candidate(2)[1], "preferences": {"remote": False}})
    result = run([candidate(1, location="Kochi"), no_remote], [remote])
    assert result.breakdown(0, 0)["components"]["location"]["score"] == 1.0
    assert result.breakdown(1, 0)["components"]["location"]["score"] < 1.0


def test_no_sponsorship_knocks_out_a_candidate_who_needs_it():
    no_visa = job(5, "Backend Engineer", BACKEND["description"] + "\nWe cannot sponsor visas.")
    result = run([candidate(1, needs_sponsorship=True), candidate(2, needs_sponsorship=False)], [no_visa])
    assert result.breakdown(0, 0)["knockouts"] == ["sponsorship"]
    assert result.breakdown(1, 0)["knockouts"] == []


def test_salary_below_expectation_lowers_the_score():
    result = run([candidate(1, expected_ctc_lpa=25), candidate(2, expected_ctc_lpa=60)], [BACKEND])
    assert result.breakdown(0, 0)["components"]["salary"]["score"] == 1.0
    assert result.breakdown(1, 0)["components"]["salary"]["score"] == pytest.approx((30 / 60) ** 2, abs=1e-3)
    assert result.fit[0, 0] > result.fit[1, 0]


def test_text_similarity_prefers_the_closer_description():
    close = job(6, "Backend Engineer", "Build Django APIs for payments in Python", required_skills=[], nice_skills=[])
    far = job(7, "Sales Manager", "Own enterprise accounts and quarterly revenue targets", required_skills=[],
              nice_skills=[])
    result = run([candidate()], [close, far])
    text = [result.breakdown(0, j)["components"]["text"]["score"] for j in (0, 1)]
    assert text[0] > text[1]
    # a job that names no skill uses the text similarity for the skills component too
    assert result.breakdown(0, 0)["components"]["skills"]["score"] == text[0]


def test_thresholds_and_weights_come_from_talvix_toml(tmp_path):
    cfg = tmp_path / "talvix.toml"
    cfg.write_text("[score]\napply_threshold = 99\nreview_threshold = 10\nweight_salary = 0\n")
    settings = load_settings(cfg, data_dir=tmp_path)
    weights = scoring.Weights.from_settings(settings.score)
    assert weights.apply_threshold == 99 and weights.salary == 0
    index = scoring.index_jobs([BACKEND])
    result = scoring.score(scoring.candidate_features([candidate(expected_ctc_lpa=22)], index), index, weights)
    assert result.breakdown(0, 0)["decision"] == "review"
    assert result.breakdown(0, 0)["components"]["salary"]["weight"] == 0


def test_vectorised_scores_match_the_per_pair_breakdown_in_any_block_size():
    rng = np.random.default_rng(3)
    skills = list(scoring.vocab.VOCABULARY)[:40]
    places = ["Bengaluru", "Mumbai", "Pune", "Remote", "India"]
    jobs = []
    for j in range(300):
        req = list(rng.choice(skills, 4, replace=False))
        jobs.append(job(j + 1, f"Engineer {j}", "Requirements:\n- " + "\n- ".join(req) +
                        f"\n- {int(rng.integers(0, 8))}+ years of experience",
                        str(rng.choice(places)), str(rng.choice(["onsite", "hybrid", "remote"]))))
    cands = [candidate(c + 1, skills=tuple(rng.choice(skills, 6, replace=False)), years=float(rng.integers(0, 10)),
                       location=str(rng.choice(places)), expected_ctc_lpa=float(rng.integers(5, 40)))
             for c in range(25)]
    index = scoring.index_jobs(jobs)
    feats = scoring.candidate_features(cands, index)
    whole = scoring.score(feats, index, scoring.Weights(block_jobs=100_000))
    small = scoring.score(feats, index, scoring.Weights(block_jobs=100))
    np.testing.assert_allclose(whole.fit, small.fit, rtol=1e-5)
    assert (whole.decision == small.decision).all() and (whole.knock == small.knock).all()
    for ci, ji in [(0, 0), (3, 17), (24, 299), (11, 150)]:
        bd = whole.breakdown(ci, ji)
        assert bd["score"] == pytest.approx(float(whole.fit[ci, ji]), abs=0.06)
        assert bd["decision"] == scoring.DECISIONS[int(whole.decision[ci, ji])]
    assert whole.pairs() == sorted(whole.pairs(), key=lambda p: -whole.fit[p])


def test_breakdowns_of_many_pairs_at_once_are_each_pairs_own():
    rng = np.random.default_rng(5)
    skills = list(scoring.vocab.VOCABULARY)[:30]
    jobs = [job(j + 1, f"Engineer {j}", "Requirements:\n- " + "\n- ".join(rng.choice(skills, 3, replace=False)) +
                f"\n- {int(rng.integers(0, 8))}+ years of experience", str(rng.choice(["Pune", "Remote", "Mumbai"])),
                str(rng.choice(["onsite", "remote"])), salary={"currency": "INR", "min_lpa": 10, "max_lpa": 12 + j % 9})
            for j in range(60)]
    cands = [candidate(c + 1, skills=tuple(rng.choice(skills, 5, replace=False)), years=float(c * 2), location="Pune",
                       expected_ctc_lpa=15.0 + c) for c in range(4)]
    index = scoring.index_jobs(jobs)
    result = scoring.score(scoring.candidate_features(cands, index), index, scoring.Weights())
    # Candidates interleaved, jobs out of order and repeated: each answer is its own pair's, whether the
    # components are computed per candidate (more jobs than candidates) or per job (more candidates).
    by_candidate = [(ci, ji) for ji in (59, 3, 17, 3, 40, 0) for ci in (2, 0, 3, 1)]
    by_job = [(ci, ji) for ci in (3, 1, 0, 2, 1) for ji in (7, 44)]
    for pairs in (by_candidate, by_job):
        together = result.breakdowns(pairs)
        assert together == [result.breakdowns([p])[0] for p in pairs]
        assert len({repr(b) for b in together}) > 6  # the pairs differ: a mixed-up answer would show
        for (ci, ji), bd in zip(pairs, together):
            assert bd["score"] == pytest.approx(float(result.fit[ci, ji]), abs=0.06)


def test_a_salary_said_as_a_bound_leaves_its_other_end_unknown():
    from core.jobs.jd import salary

    assert salary("Package up to 25 Lakhs per annum") == {
        "currency": "INR", "min": None, "max": 2500000.0, "period": "year", "min_lpa": None, "max_lpa": 25.0,
        "text": "25 Lakhs per annum"}
    starting = salary("CTC: 10 LPA onwards")
    assert (starting["min_lpa"], starting["max_lpa"]) == (10.0, None)
    assert (salary("Starting from 8 LPA")["min_lpa"], salary("Starting from 8 LPA")["max_lpa"]) == (8.0, None)
    assert (salary("CTC: 12 LPA")["min_lpa"], salary("CTC: 12 LPA")["max_lpa"]) == (12.0, 12.0)
    # "10 LPA onwards" does not cap the job at 10: for a candidate wanting 20 its pay is unknown, not too low
    onwards = job(8, "Backend Engineer", BACKEND["description"].replace("Salary 20-30 LPA", "CTC: 10 LPA onwards"))
    capped = job(9, "Backend Engineer", BACKEND["description"].replace("Salary 20-30 LPA", "CTC: 10 LPA"))
    result = run([candidate(1, expected_ctc_lpa=20)], [onwards, capped])
    assert result.breakdown(0, 0)["components"]["salary"]["score"] == 0.75  # unknown
    assert result.breakdown(0, 1)["components"]["salary"]["score"] == pytest.approx((10 / 20) ** 2, abs=1e-3)

"""JobSpy (LinkedIn, Indeed, Naukri, Glassdoor...) as an optional extra: ``pip install python-jobspy``.

``jobspy:SEARCH`` with optional ``;``-separated settings, e.g.
``jobspy:python developer;sites=indeed,naukri;location=Bengaluru;results=50``. The package is imported
only when such a source is used, so Talvix works without it; without it the source fails with a clear
line saying how to install it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from core.errors import TalvixError

INSTALL_HINT = "the JobSpy source needs the optional extra: pip install python-jobspy"


def _load() -> Any:
    try:
        import jobspy
    except ImportError:
        raise TalvixError(f"jobspy source unavailable: {INSTALL_HINT}") from None
    return jobspy


def parse_value(value: str) -> dict[str, Any]:
    search, *opts = [p.strip() for p in value.split(";")]
    out: dict[str, Any] = {"search_term": search, "site_name": ["indeed", "linkedin"], "results_wanted": 50}
    for opt in opts:
        key, _, val = opt.partition("=")
        key = key.strip().lower()
        if key == "sites":
            out["site_name"] = [s.strip() for s in val.split(",") if s.strip()]
        elif key == "location":
            out["location"] = val.strip()
        elif key == "results":
            out["results_wanted"] = int(val)
        elif key == "country":
            out["country_indeed"] = val.strip()
    return out


def fetch(client: Any, value: str, base_url: str | None, settings: Any) -> list[dict[str, Any]]:
    jobspy = _load()
    frame = jobspy.scrape_jobs(**parse_value(value))
    jobs: list[dict[str, Any]] = []
    for row in frame.to_dict("records"):
        url = row.get("job_url") or row.get("job_url_direct")
        if not url or not row.get("title"):
            continue
        site = str(row.get("site") or "jobspy")
        ident = row.get("id") or hashlib.sha256(str(url).encode()).hexdigest()[:16]
        salary = None
        if row.get("min_amount") or row.get("max_amount"):
            salary = {"currency": row.get("currency"), "min": row.get("min_amount"), "max": row.get("max_amount"),
                      "period": {"yearly": "year", "monthly": "month", "hourly": "hour"}.get(
                          str(row.get("interval") or ""), row.get("interval")), "source": "jobspy"}
        jobs.append({
            "canonical_key": f"jobspy:{site}:{ident}",
            "source": f"jobspy:{site}",
            "company": str(row.get("company") or ""),
            "title": str(row["title"]),
            "location": str(row.get("location") or ""),
            "workplace": "remote" if row.get("is_remote") else None,
            "url": url,
            "apply_url": row.get("job_url_direct") or url,
            "ats": None,
            "description": str(row.get("description") or ""),
            "salary": salary,
            "raw": {"site": site, "id": str(ident)},
            "posted_at": None,
        })
    return jobs

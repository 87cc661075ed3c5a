"""The skill vocabulary: canonical skill names and their aliases (js -> JavaScript, k8s -> Kubernetes).

Resumes, job descriptions, scoring and the fabrication check all speak this vocabulary, so "ReactJS" in a
resume matches "React" in a posting. Matching is on word boundaries and case-insensitive, except for
short ambiguous names (Go, R, C) which need their usual casing or a qualifier.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: canonical name -> aliases (lower-case). The canonical name itself always matches.
VOCABULARY: dict[str, tuple[str, ...]] = {
    # languages
    "Python": ("python3", "py"),
    "JavaScript": ("js", "javascript es6", "es6", "ecmascript"),
    "TypeScript": ("ts",),
    "Java": ("java 8", "java 11", "java 17", "core java"),
    "Kotlin": (),
    "Scala": (),
    "Go": ("golang",),
    "Rust": (),
    "C": (),
    "C++": ("cpp", "c plus plus"),
    "C#": ("csharp", "c sharp"),
    "Ruby": (),
    "PHP": (),
    "Swift": (),
    "Objective-C": ("objc", "objective c"),
    "R": (),
    "SQL": ("structured query language",),
    "Bash": ("shell scripting", "shell", "bash scripting"),
    "Perl": (),
    "Dart": (),
    "Elixir": (),
    "Haskell": (),
    "MATLAB": (),
    # web and mobile
    "React": ("reactjs", "react.js"),
    "React Native": ("react-native",),
    "Angular": ("angularjs", "angular.js"),
    "Vue.js": ("vue", "vuejs"),
    "Next.js": ("nextjs",),
    "Node.js": ("node", "nodejs", "node js"),
    "Express": ("express.js", "expressjs"),
    "Django": (),
    "Flask": (),
    "FastAPI": (),
    "Spring Boot": ("springboot", "spring"),
    "Ruby on Rails": ("rails", "ror"),
    "Laravel": (),
    ".NET": ("dotnet", "asp.net", ".net core"),
    "HTML": ("html5",),
    "CSS": ("css3",),
    "Tailwind CSS": ("tailwind",),
    "Redux": (),
    "GraphQL": (),
    "REST APIs": ("rest", "restful", "rest api", "restful apis"),
    "gRPC": (),
    "Flutter": (),
    "Android": (),
    "iOS": (),
    # data
    "PostgreSQL": ("postgres", "psql"),
    "MySQL": (),
    "MongoDB": ("mongo",),
    "Redis": (),
    "Elasticsearch": ("elastic search", "opensearch"),
    "Cassandra": (),
    "DynamoDB": (),
    "SQLite": (),
    "Oracle": ("oracle db",),
    "Snowflake": (),
    "BigQuery": (),
    "Redshift": (),
    "Kafka": ("apache kafka",),
    "RabbitMQ": (),
    "Spark": ("apache spark", "pyspark"),
    "Hadoop": (),
    "Airflow": ("apache airflow",),
    "dbt": (),
    "Pandas": (),
    "NumPy": (),
    "scikit-learn": ("sklearn", "scikit learn"),
    "TensorFlow": (),
    "PyTorch": ("torch",),
    "Machine Learning": ("ml",),
    "Deep Learning": ("dl",),
    "NLP": ("natural language processing",),
    "Computer Vision": ("cv",),
    "LLMs": ("llm", "large language models", "generative ai", "genai"),
    "Data Analysis": ("data analytics",),
    "Statistics": (),
    "Tableau": (),
    "Power BI": ("powerbi",),
    "Excel": ("ms excel", "microsoft excel"),
    "ETL": (),
    # cloud and ops
    "AWS": ("amazon web services",),
    "GCP": ("google cloud", "google cloud platform"),
    "Azure": ("microsoft azure",),
    "Docker": (),
    "Kubernetes": ("k8s",),
    "Terraform": (),
    "Ansible": (),
    "Jenkins": (),
    "GitHub Actions": (),
    "CI/CD": ("ci cd", "continuous integration", "continuous delivery"),
    "Linux": ("unix",),
    "Git": (),
    "Microservices": ("micro services", "microservice"),
    "Distributed Systems": (),
    "System Design": (),
    "Prometheus": (),
    "Grafana": (),
    "Nginx": (),
    "Serverless": ("aws lambda", "lambda"),
    "DevOps": (),
    "SRE": ("site reliability engineering",),
    "Security": ("cybersecurity", "infosec"),
    # testing and practice
    "Selenium": (),
    "Cypress": (),
    "Jest": (),
    "Pytest": (),
    "Unit Testing": ("unit tests", "tdd", "test driven development"),
    "Agile": ("scrum", "kanban"),
    "JIRA": (),
    "Figma": (),
    "Product Management": (),
    "Project Management": (),
    "Communication": ("communication skills",),
    "Leadership": ("team leadership", "people management"),
    "SAP": (),
    "Salesforce": (),
    # mainframe (Indian banking and insurance IT still runs on it)
    "COBOL": (),
    "JCL": (),
    "DB2": ("ibm db2",),
    "z/OS": ("zos",),
    "CICS": (),
}

#: Names that are ordinary words or single letters: match only with their exact casing.
_CASE_SENSITIVE = {"Go", "R", "C", "Rust", "Swift", "Spring Boot", "Express", "Oracle", "Spark", "Security",
                   "Statistics", "Communication", "Leadership", "Agile", "Excel", "Git", "Node.js"}
#: Aliases too ambiguous to match in free text (still accepted by :func:`normalise`).
_NO_TEXT_ALIASES = {"ts", "py", "ml", "dl", "cv", "rest", "node", "spring", "shell", "vue", "mongo", "lambda",
                    "torch", "rails", "ror", "unix", "es6", "llm"}


@lru_cache(maxsize=1)
def _alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, aliases in VOCABULARY.items():
        out[canon.lower()] = canon
        for a in aliases:
            out[a.lower()] = canon
    return out


def normalise(name: str) -> str | None:
    """The canonical name of a skill, or None if it is not in the vocabulary."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    return _alias_map().get(key)


def normalise_list(names: list[str]) -> list[str]:
    """Canonical names in first-seen order; unknown names are kept as written (trimmed)."""
    seen: dict[str, None] = {}
    for n in names:
        n = n.strip()
        if not n:
            continue
        seen.setdefault(normalise(n) or n, None)
    return list(seen)


def _boundary(term: str) -> str:
    return r"(?<![A-Za-z0-9+#.])" + re.escape(term) + r"(?![A-Za-z0-9+#]|\.[A-Za-z0-9])"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    pats: list[tuple[str, re.Pattern[str]]] = []
    for canon, aliases in VOCABULARY.items():
        terms = [canon] + [a for a in aliases if a not in _NO_TEXT_ALIASES]
        # longest first so "React Native" wins over "React" at the same spot
        terms.sort(key=len, reverse=True)
        if canon in _CASE_SENSITIVE:
            exact = "|".join(_boundary(t) for t in terms if t == canon)
            loose = "|".join(_boundary(t) for t in terms if t != canon)
            body = exact + (f"|(?i:{loose})" if loose else "")
            pats.append((canon, re.compile(body)))
        else:
            pats.append((canon, re.compile("|".join(_boundary(t) for t in terms), re.I)))
    return pats


def mentions(text: str) -> list[tuple[int, int, str]]:
    """Every vocabulary mention in ``text`` as (start, end, canonical), left to right.

    A mention wholly inside a longer mention of another skill is dropped ("React" inside
    "React Native"), but only that mention: "ReactJS and React Native" yields both React and
    React Native.
    """
    spans: list[tuple[int, int, str]] = []
    for canon, pat in _patterns():
        for m in pat.finditer(text):
            if m.end() > m.start():
                spans.append((m.start(), m.end(), canon))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, canon in spans:
        inside = any(o_start <= start and end <= o_end and (o_end - o_start) > (end - start) and o_canon != canon
                     for o_start, o_end, o_canon in spans)
        if not inside:
            kept.append((start, end, canon))
    return kept


def extract(text: str) -> list[str]:
    """Canonical skills mentioned in ``text``, in order of first mention."""
    seen: dict[str, None] = {}
    for _, _, canon in mentions(text):
        seen.setdefault(canon, None)
    return list(seen)


#: Characters OCR takes for one another (each way): S/5, O/0, l/1/I, B/8, Z/2, G/6.
_OCR_CONFUSIONS: dict[str, str] = {"S": "5", "s": "5", "5": "Ss", "O": "0", "o": "0", "0": "Oo", "l": "1I|",
                                   "1": "lIi", "I": "1l|", "i": "1", "|": "lI", "B": "8", "8": "B", "Z": "2",
                                   "z": "2", "2": "Zz", "G": "6", "6": "G"}


def ocr_correction(item: str) -> str | None:
    """The vocabulary skill an OCR misreading stands for, or None: only a term one known confusion away.

    One edit, and only of a kind OCR makes: a character read as its look-alike ("Pyth0n": 0 for o), or a
    look-alike read beside the character itself ("HTMLS5": S beside the 5 of HTML5). Short items (under three
    characters) and items that already name a skill are left alone; an item that could be two skills is
    not corrected. For text read by OCR only: a text PDF's characters are what the author typed.
    """
    s = item.strip()
    if len(s) < 3 or normalise(s):
        return None
    known = _alias_map()
    found: set[str] = set()
    for i, ch in enumerate(s):
        for alt in _OCR_CONFUSIONS.get(ch, ""):
            canon = known.get((s[:i] + alt + s[i + 1:]).lower())
            if canon:
                found.add(canon)
        near = s[i - 1: i] + s[i + 1: i + 2]  # the neighbours it may be a second reading of
        if any(n in _OCR_CONFUSIONS.get(ch, "") for n in near):
            canon = known.get((s[:i] + s[i + 1:]).lower())
            if canon:
                found.add(canon)
    return found.pop() if len(found) == 1 else None

"""The invented people of the resume corpus: who they are, as data (the generator renders them).

Every person, employer, school, address and number here is made up; phone numbers use the ranges set aside
for fiction where the numbering plan has one (US 555-01xx, UK Ofcom drama ranges) or plainly invented digits.
Deterministic: the same seed gives the same people, so the rendered files and their facts stay in step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

US_NAMES = ["Maya Okafor", "Daniel Reyes", "Hannah Lindqvist", "Marcus Bell", "Sofia Marchetti",
            "Ethan Brooks-Whitfield", "Grace O'Neill", "Tomás Herrera", "Olivia Chen", "Jamal Carter",
            "Rachel Novak", "Kevin Duarte", "Brianna Castillo", "Owen Fitzgerald", "Daniel J. Whitaker",
            "Lucia Fernandez", "Trevor Okonkwo"]
UK_NAMES = ["Oliver Pennington", "Amelia Hargreaves", "Rhys Llewellyn", "Charlotte Ashdown", "Priyanka Shah",
            "Callum McBride", "Imogen Fairweather", "Samir Haddad", "Eleanor Whitcombe", "Tobias Grant",
            "Harriet Colquhoun", "Declan Murphy", "Ffion Morgan", "Alistair Finch", "Niamh Gallagher"]
IN_NAMES = ["Ananya Iyer", "Rohit Deshpande", "Kavya Reddy", "Siddharth Kulkarni", "Meera Pillai",
            "Arvind Raghunathan", "Pooja Venkatesh", "Harpreet Gill", "Nikhil Bansal", "Sneha Joshi",
            "Tanvi Chatterjee", "Farhan Qureshi", "Lakshmi Narayanan", "Aditya Sengupta", "Divya Menon",
            "Karthik Subramanian", "Ishita Agarwal", "Varun Nair", "Neha Kapoor", "Rahul Dwivedi", "Gaurav Hegde",
            "Rajesh Iyengar", "Swati Deshmukh", "Manoj Pillay", "Aparna Bhattacharya", "Yusuf Sheikh", "Deepika Rao",
            "Sanjana Krishnamurthy", "Abhishek Tiwari"]

US_CITIES = ["New York, NY", "Austin, TX", "San Francisco, CA", "Seattle, WA", "Chicago, IL", "Boston, MA",
             "Denver, CO", "Atlanta, GA", "Portland, OR", "Raleigh, NC"]
US_AREA = {"New York, NY": "646", "Austin, TX": "512", "San Francisco, CA": "415", "Seattle, WA": "206",
           "Chicago, IL": "312", "Boston, MA": "617", "Denver, CO": "303", "Atlanta, GA": "404",
           "Portland, OR": "503", "Raleigh, NC": "919"}
UK_CITIES = ["London, UK", "Manchester, UK", "Leeds, United Kingdom", "Bristol, UK", "Edinburgh, UK",
             "Cambridge, UK"]
UK_PHONES = {"London, UK": "020 7946 0{n}", "Manchester, UK": "0161 496 0{n}", "Leeds, United Kingdom": "0113 496 0{n}",
             "Bristol, UK": "0117 496 0{n}", "Edinburgh, UK": "0131 496 0{n}", "Cambridge, UK": "01223 496 {n}"}
IN_CITIES = ["Pune, Maharashtra", "Bengaluru, Karnataka", "Hyderabad, Telangana", "Chennai, Tamil Nadu",
             "Noida, Uttar Pradesh", "Kochi, Kerala", "Gurugram, Haryana", "Mumbai, Maharashtra"]

US_EMPLOYERS = ["Northwind Analytics", "Bluepeak Software Inc.", "Harbor & Finch LLC", "Cedarline Health",
                "Quantive Labs", "Orbital Freight", "Tessellate Systems", "Lumen Ridge Bank", "Brightwater Retail",
                "Kestrel Robotics", "Meridian Insurance Co.", "Zentry", "Loopwise", "Fireﬂy Media Group"]
UK_EMPLOYERS = ["Thamesbridge Digital Ltd", "Albion Payments plc", "Pennine Logistics", "Greyfriars Consulting",
                "Northgate Health Tech", "Kittiwake", "Marlow & Sons Ltd", "Holloway Data Services"]
IN_EMPLOYERS = ["Vistara Infotech Pvt. Ltd.", "Sahyadri Software Solutions", "Kaveri Fintech Pvt Ltd",
                "Nilgiri Data Systems", "Pragati Consulting Services", "Indus Cloudworks", "Tarang Networks",
                "Chaitanya Technologies", "Zyphr", "Mahanadi Analytics LLP"]

TITLES = ["Senior Software Engineer", "Data Analyst", "Product Manager", "Backend Developer", "DevOps Engineer",
          "Machine Learning Engineer", "QA Engineer", "Frontend Developer", "Engineering Manager",
          "Business Analyst", "Software Engineer", "Site Reliability Engineer", "Associate Consultant",
          "Data Scientist", "Software Engineer Intern", "Technical Lead"]

US_SCHOOLS = ["University of Texas at Austin", "Georgia Institute of Technology", "Ohio State University",
              "Rutgers University", "University of Washington", "Carnegie Mellon University", "Purdue University",
              "Boston University"]
UK_SCHOOLS = ["University of Manchester", "University of Leeds", "Imperial College London", "University of Edinburgh",
              "King's College London", "University of Bristol"]
IN_SCHOOLS = ["College of Engineering, Pune", "Anna University", "Vellore Institute of Technology",
              "National Institute of Technology, Tiruchirappalli", "Manipal Institute of Technology",
              "Jadavpur University", "PSG College of Technology", "Birla Institute of Technology and Science, Pilani"]
IN_HIGH_SCHOOLS = ["Kendriya Vidyalaya, Pune", "Delhi Public School, Noida", "St. Joseph's Higher Secondary School"]
DEGREES = {"US": ["B.S. in Computer Science", "M.S. in Information Systems", "B.A. in Economics",
                  "B.S. in Electrical Engineering"],
           "UK": ["BSc (Hons) Computer Science", "MSc Data Science", "BEng Software Engineering", "BA (Hons) Mathematics"],
           "IN": ["B.Tech in Computer Science", "B.E. in Electronics and Communication", "MCA", "M.Tech in Data Science",
                  "B.Sc in Mathematics"]}

#: skills as a person writes them -> the vocabulary's canonical name
SKILLS = {"Python": "Python", "golang": "Go", "Java": "Java", "JavaScript": "JavaScript", "TypeScript": "TypeScript",
          "ReactJS": "React", "Node.js": "Node.js", "Django": "Django", "FastAPI": "FastAPI", "SQL": "SQL",
          "Postgres": "PostgreSQL", "MySQL": "MySQL", "MongoDB": "MongoDB", "Redis": "Redis", "Kafka": "Kafka",
          "Docker": "Docker", "k8s": "Kubernetes", "Terraform": "Terraform", "AWS": "AWS", "GCP": "GCP",
          "Azure": "Azure", "Jenkins": "Jenkins", "Git": "Git", "Linux": "Linux", "Pandas": "Pandas",
          "NumPy": "NumPy", "scikit-learn": "scikit-learn", "PyTorch": "PyTorch", "TensorFlow": "TensorFlow",
          "Tableau": "Tableau", "Power BI": "Power BI", "MS Excel": "Excel", "Airflow": "Airflow", "Spark": "Spark",
          "Selenium": "Selenium", "Pytest": "Pytest", "JIRA": "JIRA", "Agile": "Agile", "GraphQL": "GraphQL",
          "C++": "C++", "C#": "C#", "Spring Boot": "Spring Boot", "Figma": "Figma", "Grafana": "Grafana",
          "Prometheus": "Prometheus", "CI/CD": "CI/CD", "HTML5": "HTML", "CSS": "CSS", "Snowflake": "Snowflake",
          "Microservices": "Microservices", "User Research": "User Research", "Prototyping": "Prototyping",
          # not in the vocabulary: kept as written, because the person lists them as skills
          "Stakeholder Management": "Stakeholder Management", "Data Modelling": "Data Modelling",
          "Problem Solving": "Problem Solving"}

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]

#: bullet templates: {s} is one of the person's own skills (so running text only names listed skills)
BULLETS = ["Built and maintained services in {s} handling 40k requests per minute",
           "Cut release time from two weeks to two days by automating the pipeline with {s}",
           "Mentored three junior colleagues and ran the weekly design review",
           "Designed the reporting data model used by finance and operations teams",
           "Migrated the legacy billing module to {s} with zero downtime",
           "Worked closely with product owners to shape the quarterly roadmap",
           "Reduced cloud spend by 18% through right-sizing and better caching",
           "Wrote the on-call runbook and led incident reviews"]


@dataclass
class Job:
    employer: str
    title: str
    location: str
    start: tuple[int, int]  # (year, month)
    end: tuple[int, int] | None  # None = present
    bullets: list[str] = field(default_factory=list)
    #: the dates as the resume writes them when they are no plain range ("Since 2022", "Summer 2019"), and
    #: the (start, end) a parser should read from them
    written: str = ""
    expected: tuple[str, str] | None = None


@dataclass
class School:
    institution: str
    degree: str
    start: int
    end: int


@dataclass
class Person:
    key: str
    region: str  # US | UK | IN
    first: str
    last: str
    email: str
    phone: str  # as written on the resume
    phone_e164: str
    location: str
    headline: str
    summary: str
    jobs: list[Job]
    schools: list[School]
    skills: list[str]  # as written
    linkedin: str
    date_style: int
    entry_style: int
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def canonical_skills(self) -> list[str]:
        return [SKILLS[s] for s in self.skills]


def fmt_date(ym: tuple[int, int] | None, style: int) -> str:
    if ym is None:
        return ["Present", "Present", "Current", "Till Date", "present", "Present", "Now"][style % 7]
    y, m = ym
    if style == 5:
        return str(y)  # year only
    if style == 6:
        return f"{LONG_MONTHS[m - 1]}, {y}"
    return [f"{MONTHS[m - 1]} {y}", f"{m:02d}/{y}", f"{LONG_MONTHS[m - 1]} {y}", f"{MONTHS[m - 1]}. {y}",
            f"{y}-{m:02d}"][style % 5]


def fmt_range(job: Job, style: int) -> str:
    if job.written:
        return job.written
    dash = [" – ", " - ", " to ", " — ", " – ", " – ", " - "][style % 7]
    return fmt_date(job.start, style) + dash + fmt_date(job.end, style)


def norm_date(ym: tuple[int, int] | None, style: int = 0) -> str:
    if ym is None:
        return "present"
    return str(ym[0]) if style == 5 else f"{ym[0]}-{ym[1]:02d}"


def _phone(region: str, location: str, rng: random.Random) -> tuple[str, str]:
    if region == "US":
        area = US_AREA[location]
        line = f"01{rng.randint(10, 99)}"
        style = rng.randrange(5)
        text = [f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"+1 {area} 555 {line}",
                f"+1 ({area}) 555-{line}"][style]
        return text, f"+1{area}555{line}"
    if region == "UK":
        n = f"{rng.randint(100, 999)}"
        text = UK_PHONES[location].format(n=n)
        digits = "".join(c for c in text if c.isdigit())
        if rng.random() < 0.4:
            text = "+44 " + text[1:]
        return text, "+44" + digits[1:]
    mobile = f"9{rng.randint(100000000, 999999999)}"
    style = rng.randrange(4)
    text = [f"+91 {mobile[:5]} {mobile[5:]}", f"+91-{mobile}", f"{mobile[:5]} {mobile[5:]}", f"0{mobile}"][style]
    return text, f"+91{mobile}"


PROJECTS = ["Inventory forecaster: a small service that predicts stock levels for a chain of shops",
            "Open-source contributor to a static site generator (documentation and release tooling)",
            "Built a volunteer rota app for a local food bank"]
CERTS = ["AWS Certified Solutions Architect – Associate (2022)", "Certified Scrum Master (2021)",
         "Google Data Analytics Certificate (2020)"]


def make_people(count: int = 58, seed: int = 15) -> list[Person]:
    rng = random.Random(seed)
    people: list[Person] = []
    pools = {"US": list(US_NAMES), "UK": list(UK_NAMES), "IN": list(IN_NAMES)}
    regions = (["US", "IN", "UK", "IN"] * ((count + 3) // 4))[:count]
    skill_names = list(SKILLS)
    for i, region in enumerate(regions):
        name = pools[region].pop(0) if pools[region] else f"Alex Tester{i}"
        first, last = name.rsplit(" ", 1)
        cities = {"US": US_CITIES, "UK": UK_CITIES, "IN": IN_CITIES}[region]
        location = cities[i % len(cities)]
        employers = {"US": US_EMPLOYERS, "UK": UK_EMPLOYERS, "IN": IN_EMPLOYERS}[region]
        schools = {"US": US_SCHOOLS, "UK": UK_SCHOOLS, "IN": IN_SCHOOLS}[region]
        skills = rng.sample(skill_names, rng.randint(6, 11))
        phone, e164 = _phone(region, location, rng)
        n_jobs = rng.choice([2, 3, 3, 4])
        end_year = 2026
        jobs: list[Job] = []
        used = rng.sample(employers, n_jobs)
        for j in range(n_jobs):
            end = None if j == 0 else (end_year, rng.randint(1, 12))
            start_year = (end_year if end is None else end[0]) - rng.randint(1, 3)
            start = (start_year, rng.randint(1, 12))
            if end is not None and start >= end:
                start = (end[0] - 1, end[1])
            title = TITLES[(i * 3 + j * 5) % len(TITLES)]
            city = cities[(i + j + 1) % len(cities)]
            picked = rng.sample(BULLETS, 3)
            bullets = [b.format(s=rng.choice(skills)) for b in picked]
            jobs.append(Job(used[j], title, city.split(",")[0] if rng.random() < 0.5 else city, start, end, bullets))
            end_year = start[0]
        grad = jobs[-1].start[0]
        school_list = [School(rng.choice(schools), rng.choice(DEGREES[region]), grad - 4, grad)]
        if rng.random() < 0.35:
            hs = rng.choice(IN_HIGH_SCHOOLS) if region == "IN" else rng.choice(schools)
            if hs != school_list[0].institution:
                deg = "Class XII (CBSE)" if region == "IN" else rng.choice(DEGREES[region])
                school_list.append(School(hs, deg, grad - 6, grad - 4))
        handle = (first + last).lower().replace("'", "").replace("-", "").replace("á", "a").replace(".", "").replace(" ", "")
        email = rng.choice([f"{handle}@example.com", f"{first.lower().replace('á', 'a').replace('.', '').replace(' ', '')}.{last.lower().replace(chr(39), '')}@mail.example.org",
                            f"{handle}{rng.randint(10, 99)}@example.net"]).replace("-", "")
        years = 2026 - jobs[-1].start[0]
        headline = jobs[0].title
        summary = (f"{headline} with {years}+ years of experience delivering reliable products for growing teams. "
                   "Comfortable owning work end to end, from the first conversation to the release.")
        extras: dict[str, str] = {}
        if region == "IN":
            extras = {"dob": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{1988 + i % 10}",
                      "ctc": f"{rng.randint(6, 40)} LPA", "ectc": f"{rng.randint(12, 55)} LPA",
                      "notice": rng.choice(["30 days", "60 days", "90 days", "Immediate"]),
                      "father": f"Mr. {rng.choice(['Ramesh', 'Suresh', 'Mahesh', 'Prakash'])} {last}",
                      "languages": "English, Hindi" + rng.choice([", Marathi", ", Tamil", ", Telugu", ""]),
                      "nationality": "Indian", "marital": rng.choice(["Single", "Married"])}
        date_style, entry_style = i % 5, (i // 2) % 4
        if i >= 42:  # the second batch: layouts and sections the first one does not have
            date_style = 5 + i % 2
            entry_style = 4 + i % 3
            extras["caps_name"] = "1" if i % 4 == 1 else ""
            extras["project"] = PROJECTS[i % 3]
            extras["cert"] = CERTS[i % 3]
            extras["volunteer"] = f"Mentor, Code Club ({2015 + i % 5} – {2017 + i % 5})"
        people.append(Person(
            key=f"{i + 1:02d}-{first.lower().replace('á', 'a').replace('.', '').replace(' ', '-')}-{last.lower().replace(chr(39), '')}",
            region=region, first=first, last=last, email=email, phone=phone, phone_e164=e164, location=location,
            headline=headline, summary=summary, jobs=jobs, schools=school_list, skills=skills,
            linkedin=f"linkedin.com/in/{handle}", date_style=date_style, entry_style=entry_style, extras=extras))
    return people


def third_batch() -> list[Person]:
    """Five people written by hand for what the first two batches lack: roles with a single date (a lone year
    on an internship, a lone month, "Since 2022", "2020 onwards"), a table row that breaks over a page, a
    school whose place wraps in a narrow sidebar, and a scan whose skills OCR may misread."""
    b = BULLETS

    def job(employer: str, title: str, location: str, start: tuple[int, int], end: tuple[int, int] | None,
            skill: str, written: str = "", expected: tuple[str, str] | None = None) -> Job:
        return Job(employer, title, location, start, end, [b[0].format(s=skill), b[2], b[6]], written, expected)

    def summary(title: str, years: int) -> str:
        return (f"{title} with {years}+ years of experience delivering reliable products for growing teams. "
                "Comfortable owning work end to end, from the first conversation to the release.")

    india = {"ctc": "18 LPA", "ectc": "26 LPA", "notice": "60 days", "nationality": "Indian", "marital": "Single",
             "languages": "English, Hindi"}
    return [
        Person("59-lucia-fernandez", "US", "Lucia", "Fernandez", "lucia.fernandez@mail.example.org",
               "(303) 555-0142", "+13035550142", "Denver, CO", "Senior Data Analyst", summary("Senior Data Analyst", 7),
               [job("Kestrel Robotics", "Senior Data Analyst", "Denver", (2022, 1), None, "Tableau", "Since 2022",
                    ("2022", "present")),
                job("Tessellate Systems", "Data Analyst", "Austin, TX", (2020, 6), (2021, 12), "Snowflake"),
                job("Quantive Labs", "Data Science Intern", "Austin, TX", (2019, 6), (2019, 8), "Python",
                    "Summer 2019", ("2019", "2019")),
                job("Lumen Ridge Bank", "Analyst Intern", "Chicago, IL", (2018, 3), (2018, 3), "SQL", "Mar 2018",
                    ("2018-03", "2018-03"))],
               [School("Purdue University", "B.S. in Computer Science", 2015, 2019)],
               ["Python", "SQL", "Tableau", "Pandas", "Airflow", "Snowflake"], "linkedin.com/in/luciafernandez",
               0, 0),
        Person("60-pranav-kulshrestha", "IN", "Pranav", "Kulshrestha", "pranav.kulshrestha@example.com",
               "+91 98220 41736", "+919822041736", "Pune, Maharashtra", "Backend Developer",
               summary("Backend Developer", 6),
               [job("Chaitanya Technologies", "Backend Developer", "Pune", (2023, 4), None, "Kafka", "Since Apr 2023",
                    ("2023-04", "present")),
                job("Nilgiri Data Systems", "Software Engineer", "Chennai", (2020, 7), (2023, 3), "Java"),
                job("Tarang Networks", "Software Engineer Intern", "Noida", (2019, 1), (2019, 6), "Docker", "2019",
                    ("2019", "2019"))],
               [School("Vellore Institute of Technology", "B.Tech in Computer Science", 2016, 2020),
                School("Kendriya Vidyalaya, Pune", "Class XII (CBSE)", 2014, 2016)],
               ["Java", "Spring Boot", "Kafka", "Postgres", "Docker", "k8s"], "linkedin.com/in/pranavkulshrestha",
               1, 0, {**india, "dob": "14/02/1998", "father": "Mr. Mahesh Kulshrestha"}),
        Person("61-revathi-sundaram", "IN", "Revathi", "Sundaram", "revathisundaram@example.net", "+91-9447103258",
               "+919447103258", "Kochi, Kerala", "Data Scientist", summary("Data Scientist", 5),
               [job("Mahanadi Analytics LLP", "Data Scientist", "Kochi", (2022, 2), None, "PyTorch"),
                job("Indus Cloudworks", "Machine Learning Engineer", "Bengaluru, Karnataka", (2020, 8), (2022, 1),
                    "scikit-learn"),
                job("Sahyadri Software Solutions", "Software Engineer Intern", "Pune", (2019, 5), (2019, 7), "Python",
                    "2019", ("2019", "2019"))],
               [School("Anna University", "M.Tech in Data Science", 2018, 2020),
                School("Kendriya Vidyalaya, Thiruvananthapuram", "Class XII (CBSE)", 2012, 2014)],
               ["Python", "PyTorch", "scikit-learn", "Pandas", "NumPy", "SQL", "Airflow"],
               "linkedin.com/in/revathisundaram", 1, 2, {**india, "dob": "03/09/1996", "father": "Mr. Suresh Sundaram"}),
        Person("62-niamh-gallagher", "UK", "Niamh", "Gallagher", "niamh.gallagher@mail.example.org", "0161 496 0382",
               "+441614960382", "Manchester, UK", "Frontend Developer", summary("Frontend Developer", 6),
               [job("Northgate Health Tech", "Frontend Developer", "Manchester", (2020, 1), None, "HTML5",
                    "2020 onwards", ("2020", "present")),
                job("Kittiwake", "Software Engineer", "Leeds", (2018, 9), (2019, 12), "JavaScript"),
                job("Albion Payments plc", "Software Engineer Intern", "London, UK", (2017, 6), (2017, 9), "CSS",
                    "2017", ("2017", "2017"))],
               [School("University of Manchester", "BSc (Hons) Computer Science", 2014, 2017)],
               ["HTML5", "CSS", "JavaScript", "TypeScript", "ReactJS", "Figma", "Git"], "linkedin.com/in/niamhgallagher",
               0, 3),
        Person("63-ishaan-malhotra", "IN", "Ishaan", "Malhotra", "ishaanmalhotra@example.com", "98711 20465",
               "+919871120465", "Gurugram, Haryana", "DevOps Engineer", summary("DevOps Engineer", 4),
               [job("Zyphr", "DevOps Engineer", "Gurugram", (2022, 1), None, "Terraform", "Since Jan 2022",
                    ("2022-01", "present")),
                job("Pragati Consulting Services", "Associate Consultant", "Noida", (2020, 7), (2021, 12), "AWS"),
                job("Kaveri Fintech Pvt Ltd", "Software Engineer Intern", "Noida", (2020, 1), (2020, 5), "Linux",
                    "2020", ("2020", "2020"))],
               [School("Manipal Institute of Technology", "B.E. in Electronics and Communication", 2016, 2020)],
               ["AWS", "Terraform", "Docker", "k8s", "Jenkins", "Linux", "Prometheus", "Grafana"],
               "linkedin.com/in/ishaanmalhotra", 2, 0, {**india, "dob": "21/11/1998", "father": "Mr. Prakash Malhotra"}),
    ]


def linkedin_batch() -> list[Person]:
    """Four people as LinkedIn's own "Save to PDF" export sets them out (generate.py, ``li_export``): the
    sidebar's Contact, Top Skills and Languages read before the main column; the place under the headline;
    several roles at one employer under its name and their total time; a title wrapped over two lines; a
    role's description running onto the next page past "Page 1 of 2"; schools as "Degree, Field · (years)".
    ``skills`` are the sidebar's three Top Skills."""
    b = BULLETS

    def job(employer: str, title: str, location: str, start: tuple[int, int], end: tuple[int, int] | None,
            bullets: list[str]) -> Job:
        return Job(employer, title, location, start, end, bullets)

    return [
        Person("64-nandini-rao", "IN", "Nandini", "Rao", "nandini.rao@example.com", "98450 31927 (Mobile)",
               "+919845031927", "Bengaluru, Karnataka, India", "Engineering Manager at Chaitanya Technologies",
               "I lead a team of eight engineers building the payments platform. Before that I wrote much of it.",
               [job("Chaitanya Technologies", "Engineering Manager", "Bengaluru, Karnataka, India", (2023, 4), None,
                    [b[0].format(s="Kafka"), b[2]]),
                job("Chaitanya Technologies", "Senior Software Engineer", "Bengaluru, Karnataka, India", (2020, 7),
                    (2023, 3), [b[6]]),
                job("Nilgiri Data Systems", "Software Engineer", "Chennai, Tamil Nadu, India", (2017, 6), (2020, 6),
                    [b[1].format(s="Jenkins")])],
               [School("National Institute of Technology Karnataka", "Bachelor of Technology - BTech, Computer Science",
                       2013, 2017)],
               ["Java", "Kafka", "Microservices"], "www.linkedin.com/in/nandini-rao-fake", 2, 0),
        Person("65-arjun-bhat", "IN", "Arjun", "Bhat", "arjun.bhat.fake@example.net", "+91 99000 48213 (Mobile)",
               "+919900048213", "Pune, Maharashtra, India", "Data Engineer",
               "Data engineer who likes pipelines that are boring to run.",
               [job("Sahyadri Software Solutions", "Senior Data Engineer, Platform, Reliability and Data Governance Group", "Pune, Maharashtra, India",
                    (2022, 1), None, [b[0].format(s="Airflow"), b[2], b[6], b[3], b[5], b[7]] + [
                        f"Quarter {q}: moved a nightly batch job to an event-driven design and shortened the time "
                        "from a sale to the report that shows it, while the team grew across two cities."
                        for q in range(1, 13)]),
                job("Indus Cloudworks", "Data Engineer", "Mumbai, Maharashtra, India", (2019, 8), (2021, 12),
                    [b[0].format(s="Spark")])],
               [School("College of Engineering Pune", "Bachelor of Engineering - BE, Information Technology", 2015,
                       2019)],
               ["Airflow", "Spark", "SQL"], "www.linkedin.com/in/arjun-bhat-fake", 2, 0),
        Person("66-megan-holloway", "US", "Megan", "Holloway", "megan.holloway@mail.example.org",
               "(512) 555-0164 (Mobile)", "+15125550164", "Austin, Texas, United States", "Product Designer",
               "Product designer working across research, interaction and visual design.",
               [job("Bluepeak Software Inc.", "Senior Product Designer", "Austin, Texas, United States", (2021, 3), None,
                    ["Led the redesign of the onboarding flow."]),
                job("Orbital Freight", "Product Designer", "Denver, Colorado, United States", (2018, 9), (2021, 2),
                    ["Designed the shipper dashboard."]),
                job("Orbital Freight", "Design Intern", "Denver, Colorado, United States", (2018, 1), (2018, 8), [])],
               [School("Rhode Island School of Design", "Bachelor of Fine Arts - BFA, Graphic Design", 2013, 2017)],
               ["Figma", "User Research", "Prototyping"], "www.linkedin.com/in/megan-holloway-fake", 2, 0),
        Person("67-edward-pryce", "UK", "Edward", "Pryce", "edward.pryce@mail.example.org", "020 7946 0731 (Mobile)",
               "+442079460731", "London, England, United Kingdom", "Site Reliability Engineer",
               "SRE keeping busy services up and their engineers asleep.",
               [job("Albion Payments plc", "Site Reliability Engineer", "London, England, United Kingdom", (2020, 11),
                    None, [b[0].format(s="Terraform")]),
                job("Kittiwake", "DevOps Engineer", "Leeds, England, United Kingdom", (2017, 2), (2020, 10),
                    [b[0].format(s="Docker")])],
               [School("University of Leeds", "Master of Science - MSc, Advanced Computer Science", 2015, 2016),
                School("University of Leeds", "Bachelor of Science - BSc, Computer Science", 2012, 2015)],
               ["Terraform", "Linux", "AWS"], "www.linkedin.com/in/edward-pryce-fake", 2, 0),
    ]

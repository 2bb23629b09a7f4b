"""What the demo library service offers and who works there: the data `guildbook demo` loads.

Each course says how it is scheduled and how people behave around it: `demand` is how many
people want a session, as a share of its places; `cancel` the share who cancel, `late` the
share of those who cancel inside the late window, `no_show` the share of places not used;
`audience` weights teams (others count 1; "*" sets that).

E-mail addresses use the reserved `.example` domain, so nothing the demo causes can be
delivered to anyone.
"""

from pathlib import Path

import yaml

HOSPITALS = "Riverside University Hospitals NHS Foundation Trust"
COMMUNITY = "Riverside Community Health NHS Trust"
DOMAINS = {HOSPITALS: "riverside-hospitals.example", COMMUNITY: "riverside-community.example"}
SITE = "Education Centre, Riverside General Hospital"

# The people who sign in for a tour of each role; their passwords are printed.
ROLE_ACCOUNTS = [
    ("learner", "Jamie Carter", "School nurse", "School nursing", COMMUNITY),
    ("trainer", "Rachel Okafor", "Clinical librarian", "Library and knowledge service", HOSPITALS),
    (
        "mentor",
        "Margaret Ellis",
        "Knowledge and library services manager",
        "Library and knowledge service",
        HOSPITALS,
    ),
    (
        "staff_development",
        "Priya Shah",
        "Staff development officer",
        "Learning and organisational development",
        HOSPITALS,
    ),
    (
        "administrator",
        "Alex Morgan",
        "Systems librarian",
        "Library and knowledge service",
        HOSPITALS,
    ),
]

# Other people who run training (no printed password: they sign in by e-mailed code).
TRAINERS = [
    ("Tom Hughes", "Outreach librarian", "Library and knowledge service", HOSPITALS),
    ("Chris Adeyemi", "Clinical librarian", "Library and knowledge service", HOSPITALS),
    (
        "Helen Price",
        "Chartered librarian and CILIP mentor",
        "Library and knowledge service",
        HOSPITALS,
    ),
]

# team: (organisation, how many people, job titles)
TEAMS = {
    "Library and knowledge service": (
        HOSPITALS,
        9,
        [
            "Library assistant",
            "Senior library assistant",
            "Library apprentice",
            "Clinical librarian",
        ],
    ),
    "Ward 7 – Elderly care": (
        HOSPITALS,
        24,
        ["Staff nurse", "Healthcare assistant", "Ward sister", "Nursing associate"],
    ),
    "Ward 12 – Respiratory": (
        HOSPITALS,
        20,
        ["Staff nurse", "Healthcare assistant", "Charge nurse", "Nursing associate"],
    ),
    "Emergency department": (
        HOSPITALS,
        24,
        ["Staff nurse", "Emergency nurse practitioner", "Foundation doctor", "Consultant"],
    ),
    "Maternity": (HOSPITALS, 18, ["Midwife", "Maternity support worker", "Consultant midwife"]),
    "Pharmacy": (HOSPITALS, 12, ["Pharmacist", "Pharmacy technician", "Lead pharmacist"]),
    "Physiotherapy": (HOSPITALS, 14, ["Physiotherapist", "Physiotherapy assistant"]),
    "Medical education": (
        HOSPITALS,
        16,
        ["Foundation doctor", "Specialty registrar", "Medical education administrator"],
    ),
    "Research and development": (HOSPITALS, 10, ["Research nurse", "Research coordinator"]),
    "Learning and organisational development": (
        HOSPITALS,
        5,
        ["Training coordinator", "Apprenticeship lead"],
    ),
    "Patient experience": (HOSPITALS, 6, ["Patient experience officer", "Volunteer coordinator"]),
    "Communications": (HOSPITALS, 5, ["Communications officer", "Digital content officer"]),
    "School nursing": (
        COMMUNITY,
        20,
        ["School nurse", "Staff nurse (school health)", "School nursing team leader"],
    ),
    "Health visiting": (COMMUNITY, 20, ["Health visitor", "Community nursery nurse"]),
    "District nursing": (COMMUNITY, 20, ["District nurse", "Community staff nurse"]),
    "Community mental health": (
        COMMUNITY,
        16,
        ["Community psychiatric nurse", "Support worker", "Clinical psychologist"],
    ),
    "Speech and language therapy": (COMMUNITY, 10, ["Speech and language therapist"]),
    "Dietetics": (COMMUNITY, 8, ["Dietitian", "Dietetic assistant"]),
}

FIRST_NAMES = (  # noqa: SIM905 (a list of words reads better as words)
    "Aaliyah Abdul Adam Aisha Alice Amelia Amir Amy Andrew Anna Ben Bethan Callum Carys "
    "Charlotte Chloe Chidi Daniel David Deborah Dylan Eilidh Eleanor Emily Emma Fatima Finn "
    "Gareth Georgia Grace Hannah Harriet Harry Imran Isla Jack Jade James Jasmine Jessica "
    "Joanne John Joseph Julie Karen Kate Kwame Laura Leah Liam Lily Lucy Mark Martin Mary "
    "Megan Mohammed Molly Nadia Naomi Nathan Niamh Nicola Oliver Olivia Omar Paul Rebecca "
    "Rhys Richard Rosie Ruth Ryan Samira Sarah Sean Simon Sophie Stephen Susan Tariq Thomas "
    "Una Victoria Wei William Yasmin Zara Zoe"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of words reads better as words)
    "Ahmed Ali Allen Anderson Bailey Baker Barker Begum Bennett Brown Campbell Chen Clarke "
    "Cole Collins Cooper Davies Dixon Edwards Evans Fisher Fletcher Foster Gill Green Hall "
    "Harris Hussain Jackson James Jenkins Johnson Jones Kaur Kelly Khan King Lewis Lloyd "
    "Marshall Martin Mason Mills Mitchell Moore Morris Murphy Nguyen Owen Parker Patel "
    "Phillips Powell Price Reid Roberts Robinson Rogers Scott Shaw Singh Smith Stewart Taylor "
    "Thomas Thompson Turner Walker Ward Watson White Williams Wilson Wood Wright Young"
).split()

CATEGORIES = [
    "Digital skills and social media",
    "Finding the evidence",
    "Critical appraisal",
    "Reference management",
    "Professional development",
    "Current awareness",
    "Health literacy",
    "Using the library",
]

FIRST_TIME = {"text": "Is this your first time using the library?", "kind": "yes_no"}
HOPES = {
    "text": "What do you hope to get from the session?",
    "kind": "long_text",
    "help_text": "A sentence or two helps the trainer pitch the session.",
}
ACCESS = {
    "text": "Do you have any access needs we should know about?",
    "kind": "text",
    "help_text": "For example a hearing loop, step-free access or large-print handouts.",
}

# Answers people give, so bookings read like real ones.
HOPE_ANSWERS = {
    "get-tweeting": [
        "To understand what Twitter is and whether it is worth my time.",
        "Our team wants to share what we do with schools and parents.",
        "Keep up with new ideas in nursing and join the tweet chats.",
        "My patients (and my children) use it and I feel left behind.",
        "To network with other health visitors across the country.",
        "Find out how to stay professional online.",
    ],
    "literature-searching": [
        "I have an audit to write up and need to find the evidence.",
        "Searching for my MSc assignment.",
        "We are reviewing a ward guideline.",
        "I never find anything useful on Google Scholar.",
    ],
    "*": [
        "Brush up my skills.",
        "It was recommended by my manager.",
        "Part of my CPD for revalidation.",
        "I want to be more confident with this.",
    ],
}
ACCESS_ANSWERS = ["Hearing loop, please.", "Step-free access.", "Large-print handouts, please."]

# The courses themselves are data: guildbook/data/demo/courses.yaml.
COURSES_FILE = Path(__file__).resolve().parents[3] / "data" / "demo" / "courses.yaml"
QUESTIONS = {"first_time": FIRST_TIME, "hopes": HOPES, "access": ACCESS}


def _courses() -> list[dict]:
    """The courses file with its shorthand spelt out: shared questions by name, the site in
    venues, and no materials, questions or audience weights where none are given."""
    courses = []
    for entry in yaml.safe_load(COURSES_FILE.read_text(encoding="utf-8")):
        spec = {"questions": [], "materials": [], "audience_weights": {}, **entry}
        spec["questions"] = [
            QUESTIONS.get(q, q) if isinstance(q, str) else q for q in spec["questions"]
        ]
        if "venue" in spec:
            spec["venue"] = spec["venue"].format(site=SITE)
        courses.append(spec)
    return courses


COURSES = _courses()

"""What the demo library service offers and who works there: the data `guildbook demo` loads.

Each course says how it is scheduled and how people behave around it: `demand` is how many
people want a session, as a share of its places; `cancel` the share who cancel, `late` the
share of those who cancel inside the late window, `no_show` the share of places not used;
`audience` weights teams (others count 1; "*" sets that).

E-mail addresses use the reserved `.example` domain, so nothing the demo causes can be
delivered to anyone.
"""

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

COURSES = [
    {
        "slug": "get-tweeting",
        "title": "Get Tweeting – Twitter for professional development",
        "category": "Digital skills and social media",
        "summary": (
            "A relaxed, hands-on introduction to Twitter for complete beginners: set up a "
            "profile, tweet well and use it to keep up and network."
        ),
        "description": (
            "Twitter can be a quick way to keep up with your profession, share what your team "
            "does and find people doing the same work elsewhere. This workshop is a safe space "
            "to find out how it works, with plenty of time to try things out.\n\n"
            "We cover the basic features of Twitter, setting up a professional profile and how "
            "to ‘tweet well’, and we talk about the public nature of Twitter and keeping "
            "professional boundaries with patients and service users. No experience needed: "
            "bring your phone if you like, or use one of our computers."
        ),
        "learning_outcomes": (
            "Explain how tweets, followers, hashtags and mentions work\n"
            "Set up a professional profile with sensible privacy settings\n"
            "Write, reply to and retweet tweets with confidence\n"
            "Find people and organisations worth following\n"
            "Keep professional boundaries with service users online"
        ),
        "level": "novice",
        "duration_minutes": 90,
        "audience": "Anyone in health and care who is new to Twitter. No experience needed.",
        "tags": "Twitter, social media, networking, professional development",
        "delivery": "in_person",
        "visibility": "public",
        "default_capacity": 10,
        "booking_opens_days": 60,
        "late_cancellation_hours": 48,
        "trainers": ["Rachel Okafor", "Tom Hughes"],
        "venue": f"Computer training room, {SITE}",
        "agenda": [
            {"minutes": 10, "title": "Welcome: why Twitter for professional development?"},
            {
                "minutes": 15,
                "title": "How Twitter works: tweets, followers, hashtags and mentions",
            },
            {
                "minutes": 20,
                "title": "Hands-on: set up your profile",
                "notes": "A professional bio and photo; privacy and notification settings.",
            },
            {
                "minutes": 20,
                "title": "Tweeting well",
                "notes": "What to share, retweets and replies, threads, tweet chats.",
            },
            {"minutes": 10, "title": "Finding people to follow and using lists"},
            {
                "kind": "discussion",
                "minutes": 10,
                "title": "Privacy and professional boundaries with service users",
                "notes": (
                    "Unless a profile is private, anyone can follow you — patients and their "
                    "families included. What would you do if a service user followed or "
                    "messaged you? Separate personal and work accounts; the Trust's social "
                    "media policy; your professional body's guidance on social media."
                ),
            },
            {
                "minutes": 5,
                "title": "Next steps, and a word about the follow-up survey in a month",
            },
            {
                "kind": "discussion",
                "title": "If there is time: more advanced features and recommended accounts",
                "notes": "Usually about ten minutes of wiggle room: keep exploring, or discuss.",
            },
        ],
        "questions": [
            # Insights counts the bookers who say yes (the "new to the library?" question).
            {**FIRST_TIME, "asks_if_new": True},
            {
                "text": "Have you used Twitter before?",
                "kind": "choice",
                "choices": "Never\nI have an account but hardly use it\nI use it, but not for work",
            },
            HOPES,
            ACCESS,
        ],
        "materials": [
            {"title": "Twitter Help Centre", "url": "https://help.twitter.com/"},
            {
                "title": "The Trust's social media policy",
                "url": "https://intranet.riverside-hospitals.example/policies/social-media",
            },
            {
                "title": "Trainer's slides and exercises",
                "url": "https://intranet.riverside-hospitals.example/library/get-tweeting",
                "for_trainers_only": True,
            },
        ],
        # Monthly for the first year (short-notice cancellations and no-shows), then every
        # other month (waiting lists): the question the frequency planner helps answer.
        "schedule": {"kind": "get_tweeting", "weekday": 1, "week": 2, "time": "10:00"},
        "every_other_month": {"demand": 2.0, "cancel": 0.14, "late": 0.35, "no_show": 0.07},
        "demand": 0.95,
        "cancel": 0.28,
        "late": 0.5,
        "no_show": 0.14,
        "audience_weights": {
            "School nursing": 5,
            "Health visiting": 4,
            "Communications": 3,
            "Patient experience": 3,
        },
    },
    {
        "slug": "literature-searching",
        "title": "Literature searching: finding the evidence",
        "category": "Finding the evidence",
        "summary": (
            "Turn a question into a search and find good evidence fast in the NHS Knowledge "
            "and Library Hub and the healthcare databases."
        ),
        "description": (
            "Whether you are writing a guideline, doing an audit or studying, this hands-on "
            "session shows you how to search well and where. Bring a question of your own."
        ),
        "learning_outcomes": (
            "Break a question into concepts (PICO)\n"
            "Choose where to search\n"
            "Combine keywords and subject headings with AND, OR and NOT\n"
            "Save searches, set alerts and get the full text"
        ),
        "level": "novice",
        "duration_minutes": 120,
        "audience": "Any member of staff or student on placement.",
        "tags": "searching, evidence, databases, PICO",
        "delivery": "in_person",
        "visibility": "public",
        "default_capacity": 8,
        "trainers": ["Chris Adeyemi", "Rachel Okafor"],
        "venue": f"Computer training room, {SITE}",
        "agenda": [
            {"minutes": 20, "title": "From question to search: PICO"},
            {"minutes": 20, "title": "Where to search: the Knowledge and Library Hub, MEDLINE"},
            {"minutes": 45, "title": "Hands-on: keywords, subject headings and Boolean"},
            {"minutes": 15, "title": "Saving searches and setting alerts"},
            {"minutes": 10, "title": "Getting the full text"},
            {
                "kind": "discussion",
                "minutes": 10,
                "title": "When to ask the library to search for you",
            },
        ],
        "questions": [
            FIRST_TIME,
            {
                "text": "What will you be searching for?",
                "kind": "choice",
                "choices": (
                    "A clinical question\nAn audit or service improvement\nA course or "
                    "assignment\nResearch\nA guideline or policy"
                ),
            },
            HOPES,
        ],
        "materials": [
            {"title": "NHS Knowledge and Library Hub", "url": "https://library.nhs.uk/"},
        ],
        "schedule": {"kind": "series", "weekday": 2, "week": 1, "time": "14:00", "interval": 1},
        "demand": 1.3,
        "cancel": 0.18,
        "late": 0.4,
        "no_show": 0.1,
        "audience_weights": {"Medical education": 3, "Research and development": 3, "*": 1},
    },
    {
        "slug": "advanced-searching",
        "title": "Advanced searching in MEDLINE and CINAHL",
        "category": "Finding the evidence",
        "summary": "Thorough, reproducible searches for reviews, guidelines and research.",
        "description": (
            "For people who already search and need to do it systematically: subject headings "
            "and explosion, field searching, proximity, search filters and documenting a "
            "search so that others can repeat it."
        ),
        "learning_outcomes": (
            "Build a structured search with subject headings and free text\n"
            "Use field codes, truncation and proximity\n"
            "Apply a search filter\n"
            "Document a search strategy"
        ),
        "level": "intermediate",
        "duration_minutes": 120,
        "audience": "Staff writing reviews, guidelines or research proposals.",
        "tags": "searching, MEDLINE, CINAHL, systematic reviews",
        "delivery": "in_person",
        "visibility": "staff",
        "default_capacity": 8,
        "trainers": ["Chris Adeyemi"],
        "venue": f"Computer training room, {SITE}",
        "agenda": [
            {"minutes": 15, "title": "Planning a systematic search"},
            {"minutes": 40, "title": "Subject headings, explosion and focus"},
            {"minutes": 40, "title": "Field codes, proximity and filters"},
            {"minutes": 25, "title": "Documenting and saving your strategy"},
        ],
        "questions": [HOPES],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 16, "weekday": 3, "time": "14:00"},
        "demand": 0.8,
        "cancel": 0.15,
        "late": 0.3,
        "no_show": 0.08,
        "audience_weights": {"Research and development": 5, "Medical education": 3, "Pharmacy": 2},
    },
    {
        "slug": "critical-appraisal-rcts",
        "title": "Critical appraisal: randomised controlled trials",
        "category": "Critical appraisal",
        "summary": "Is this trial any good? Appraise an RCT step by step with a CASP checklist.",
        "description": (
            "We read a published trial together and work through a checklist: was the question "
            "clear, was allocation concealed, were the groups treated alike, how big and how "
            "precise is the effect, and does it apply to our patients?"
        ),
        "learning_outcomes": (
            "Recognise the main sources of bias in a trial\n"
            "Interpret relative and absolute risk, NNT and confidence intervals\n"
            "Decide whether results apply to your own setting"
        ),
        "level": "intermediate",
        "duration_minutes": 150,
        "audience": "Clinical staff and students; no statistics knowledge assumed.",
        "tags": "critical appraisal, RCT, CASP, evidence-based practice",
        "delivery": "in_person",
        "visibility": "staff",
        "default_capacity": 12,
        "trainers": ["Chris Adeyemi"],
        "venue": f"Seminar room 2, {SITE}",
        "agenda": [
            {"minutes": 20, "title": "Why appraise? Hierarchies of evidence"},
            {"minutes": 30, "title": "The trial: read it in small groups"},
            {"minutes": 60, "title": "Working through the CASP checklist"},
            {
                "kind": "discussion",
                "minutes": 30,
                "title": "Would you change practice on this evidence?",
            },
            {"minutes": 10, "title": "Where to find appraised evidence"},
        ],
        "questions": [HOPES, ACCESS],
        "materials": [{"title": "CASP checklists", "url": "https://casp-uk.net/"}],
        "schedule": {"kind": "every", "weeks": 13, "weekday": 2, "time": "09:30"},
        "demand": 1.4,
        "cancel": 0.2,
        "late": 0.45,
        "no_show": 0.12,
        "audience_weights": {"Medical education": 4, "Pharmacy": 3, "Emergency department": 2},
    },
    {
        "slug": "critical-appraisal-systematic-reviews",
        "title": "Critical appraisal of systematic reviews and meta-analyses",
        "category": "Critical appraisal",
        "summary": "Read a forest plot and judge whether a review can be trusted.",
        "description": (
            "Builds on appraising trials: how reviews are searched and selected, "
            "heterogeneity, forest plots and the certainty of evidence."
        ),
        "learning_outcomes": (
            "Judge whether a review's search and selection were thorough\n"
            "Read a forest plot\n"
            "Explain heterogeneity and why it matters"
        ),
        "level": "advanced",
        "duration_minutes": 150,
        "audience": "Staff who have appraised trials before.",
        "tags": "critical appraisal, systematic reviews, meta-analysis",
        "delivery": "in_person",
        "visibility": "staff",
        "default_capacity": 12,
        "trainers": ["Chris Adeyemi"],
        "venue": f"Seminar room 2, {SITE}",
        "agenda": [
            {"minutes": 30, "title": "What makes a review systematic"},
            {"minutes": 60, "title": "Appraising a review with a checklist"},
            {"minutes": 40, "title": "Forest plots and heterogeneity"},
            {"kind": "discussion", "minutes": 20, "title": "Reviews that disagree"},
        ],
        "questions": [HOPES],
        "materials": [{"title": "CASP checklists", "url": "https://casp-uk.net/"}],
        "schedule": {"kind": "every", "weeks": 26, "weekday": 2, "time": "09:30"},
        "demand": 0.9,
        "cancel": 0.15,
        "late": 0.3,
        "no_show": 0.1,
        "audience_weights": {"Medical education": 4, "Research and development": 4, "Pharmacy": 3},
    },
    {
        "slug": "reference-management-zotero",
        "title": "Reference management with Zotero",
        "category": "Reference management",
        "summary": "Collect, organise and cite references without retyping a single one.",
        "description": (
            "Install Zotero, save references from the databases and the web, organise them, "
            "and cite as you write in Word."
        ),
        "learning_outcomes": (
            "Save references from databases and web pages\n"
            "Organise a library with collections and tags\n"
            "Insert citations and a bibliography in Word"
        ),
        "level": "novice",
        "duration_minutes": 90,
        "audience": "Anyone writing reports, assignments, articles or guidelines.",
        "tags": "Zotero, referencing, citations, writing",
        "delivery": "in_person",
        "visibility": "public",
        "default_capacity": 8,
        "trainers": ["Tom Hughes"],
        "venue": f"Computer training room, {SITE}",
        "agenda": [
            {"minutes": 15, "title": "Why use a reference manager?"},
            {"minutes": 30, "title": "Saving references"},
            {"minutes": 20, "title": "Organising your library"},
            {"minutes": 25, "title": "Citing while you write"},
        ],
        "questions": [FIRST_TIME, HOPES],
        "materials": [{"title": "Zotero", "url": "https://www.zotero.org/"}],
        "schedule": {"kind": "every", "weeks": 8, "weekday": 3, "time": "12:30"},
        "demand": 0.9,
        "cancel": 0.2,
        "late": 0.4,
        "no_show": 0.12,
        "audience_weights": {"Medical education": 3, "Research and development": 3},
    },
    {
        "slug": "introduction-to-cilip-certification-and-chartership",
        "title": "Introduction to CILIP Certification and Chartership",
        "category": "Professional development",
        "summary": (
            "What CILIP's professional registration involves, which level suits you, and how "
            "the service supports you through it."
        ),
        "description": (
            "Certification is for library and information staff who have been in the "
            "profession some time; Chartership is for qualified librarians. Both mean joining "
            "CILIP, registering as a candidate, choosing a mentor, agreeing a development plan "
            "and building a portfolio against the criteria.\n\n"
            "Bring your questions. Staff development can fund submission fees (not membership), "
            "and the Staff Library has copies of recommended books on building a portfolio."
        ),
        "learning_outcomes": (
            "Tell Certification, Chartership and Fellowship apart\n"
            "List the steps from joining CILIP to submitting a portfolio\n"
            "Know the assessment criteria and what counts as evidence\n"
            "Find a mentor and funding for your submission"
        ),
        "level": "novice",
        "duration_minutes": 60,
        "audience": "Library and knowledge staff at any stage of their career.",
        "tags": "CILIP, Certification, Chartership, Fellowship, portfolio, mentoring",
        "delivery": "both",
        "visibility": "staff",
        "default_capacity": 20,
        "booking_opens_days": 120,
        "trainers": ["Helen Price", "Margaret Ellis"],
        "venue": f"Seminar room 1, {SITE}",
        "online_link": "https://meet.riverside-hospitals.example/cilip-introduction",
        "agenda": [
            {"minutes": 10, "title": "CILIP's Professional Knowledge and Skills Base"},
            {"minutes": 10, "title": "Certification, Chartership and Fellowship: who each is for"},
            {
                "minutes": 15,
                "title": "The steps: membership, registering, a mentor, a development plan",
            },
            {
                "minutes": 10,
                "title": "Building a portfolio: evidence, the evaluative statement, criteria",
            },
            {
                "kind": "discussion",
                "minutes": 15,
                "title": "Questions, and support from staff development",
                "notes": (
                    "Funding for submission fees (not membership fees); training records as "
                    "evidence; keep everything — a diary or a blog; start with a skills audit."
                ),
            },
        ],
        "questions": [
            {
                "text": "Which are you thinking about?",
                "kind": "choice",
                "choices": "Certification\nChartership\nFellowship\nNot sure yet",
            },
            HOPES,
        ],
        "materials": [{"title": "CILIP", "url": "https://www.cilip.org.uk/"}],
        "schedule": {"kind": "every", "weeks": 26, "weekday": 0, "time": "14:00"},
        "demand": 1.4,
        "cancel": 0.1,
        "late": 0.3,
        "no_show": 0.05,
        "audience_weights": {"Library and knowledge service": 40, "*": 0.1},
    },
    {
        "slug": "building-your-portfolio",
        "title": "Building your portfolio: reflective writing and evidence",
        "category": "Professional development",
        "summary": "Turn what you do into evidence, and write about it reflectively.",
        "description": (
            "For CILIP candidates and anyone keeping a professional portfolio: choosing "
            "evidence, reflective models, and writing an evaluative statement."
        ),
        "learning_outcomes": (
            "Choose evidence that meets a criterion\n"
            "Use a reflective model\n"
            "Plan an evaluative statement"
        ),
        "level": "intermediate",
        "duration_minutes": 90,
        "audience": "Library staff working towards a CILIP qualification; nurses revalidating.",
        "tags": "portfolio, reflection, CILIP, revalidation",
        "delivery": "in_person",
        "visibility": "staff",
        "default_capacity": 10,
        "trainers": ["Margaret Ellis"],
        "venue": f"Seminar room 1, {SITE}",
        "agenda": [
            {"minutes": 20, "title": "What counts as evidence"},
            {"minutes": 30, "title": "Reflective writing with a model"},
            {"minutes": 30, "title": "Planning your evaluative statement"},
            {"kind": "discussion", "minutes": 10, "title": "Sharing drafts with a mentor"},
        ],
        "questions": [HOPES],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 17, "weekday": 1, "time": "14:00"},
        "demand": 0.8,
        "cancel": 0.15,
        "late": 0.3,
        "no_show": 0.08,
        "audience_weights": {"Library and knowledge service": 30, "*": 0.3},
    },
    {
        "slug": "keeping-up-to-date",
        "title": "Keeping up to date: alerts, bulletins and current awareness",
        "category": "Current awareness",
        "summary": "Let the new evidence come to you: alerts, tables of contents and bulletins.",
        "description": (
            "A short online session on setting up journal and search alerts, subscribing to "
            "the library's bulletins and managing it all without drowning in e-mail."
        ),
        "learning_outcomes": (
            "Set up journal table-of-contents and search alerts\n"
            "Subscribe to the library's current-awareness bulletins\n"
            "Manage alerts so they stay useful"
        ),
        "level": "novice",
        "duration_minutes": 60,
        "audience": "Everyone.",
        "tags": "current awareness, alerts, bulletins, RSS",
        "delivery": "online",
        "visibility": "public",
        "default_capacity": 25,
        "trainers": ["Tom Hughes"],
        "online_link": "https://meet.riverside-hospitals.example/keeping-up-to-date",
        "agenda": [
            {"minutes": 15, "title": "Journal alerts"},
            {"minutes": 20, "title": "Saved-search alerts"},
            {"minutes": 15, "title": "Library bulletins"},
            {"minutes": 10, "title": "Taming your inbox"},
        ],
        "questions": [ACCESS],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 12, "weekday": 4, "time": "12:30"},
        "demand": 0.6,
        "cancel": 0.15,
        "late": 0.3,
        "no_show": 0.22,
        "audience_weights": {},
    },
    {
        "slug": "health-literacy",
        "title": "Health literacy: writing and speaking in plain language",
        "category": "Health literacy",
        "summary": "Make information patients can understand and act on.",
        "description": (
            "Four in ten adults struggle with everyday health information. Practical "
            "techniques — chunk and check, teach-back, plain words — and a chance to rewrite "
            "one of your own leaflets."
        ),
        "learning_outcomes": (
            "Explain what health literacy is and why it matters\n"
            "Use chunk-and-check and teach-back\n"
            "Rewrite written information in plain language"
        ),
        "level": "novice",
        "duration_minutes": 90,
        "audience": "Anyone who talks to or writes for patients and the public.",
        "tags": "health literacy, plain language, patient information, teach-back",
        "delivery": "both",
        "visibility": "public",
        "default_capacity": 16,
        "trainers": ["Rachel Okafor"],
        "venue": f"Seminar room 1, {SITE}",
        "online_link": "https://meet.riverside-hospitals.example/health-literacy",
        "agenda": [
            {"minutes": 15, "title": "What health literacy is"},
            {"minutes": 25, "title": "Talking: chunk and check, teach-back"},
            {"minutes": 35, "title": "Writing: rewrite a leaflet"},
            {"kind": "discussion", "minutes": 15, "title": "What gets in the way at work?"},
        ],
        "questions": [ACCESS],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 17, "weekday": 2, "time": "14:00"},
        "demand": 0.8,
        "cancel": 0.18,
        "late": 0.35,
        "no_show": 0.1,
        "audience_weights": {"Patient experience": 6, "Health visiting": 3, "Maternity": 3},
    },
    {
        "slug": "library-induction",
        "title": "Making the most of the library: an induction",
        "category": "Using the library",
        "summary": "A tour of what the library can do for you, in 45 minutes.",
        "description": (
            "Borrowing, your OpenAthens account, the Knowledge and Library Hub, asking us to "
            "search for you, training, and quiet places to study."
        ),
        "learning_outcomes": (
            "Register with the library and get an OpenAthens account\n"
            "Find books, journals and e-resources\n"
            "Ask for a literature search or an article"
        ),
        "level": "novice",
        "duration_minutes": 45,
        "audience": "New starters and anyone who has not used the library yet.",
        "tags": "induction, new starters, OpenAthens",
        "delivery": "in_person",
        "visibility": "public",
        "default_capacity": 15,
        "trainers": ["Tom Hughes"],
        "venue": f"Library, {SITE}",
        "agenda": [
            {"minutes": 10, "title": "Welcome and a tour"},
            {"minutes": 15, "title": "Your OpenAthens account and e-resources"},
            {"minutes": 15, "title": "Services: searches, articles, training"},
            {"minutes": 5, "title": "Questions"},
        ],
        "questions": [FIRST_TIME, ACCESS],
        "materials": [],
        "schedule": {"kind": "series", "weekday": 0, "week": 1, "time": "09:30", "interval": 1},
        "demand": 0.7,
        "cancel": 0.12,
        "late": 0.3,
        "no_show": 0.18,
        "audience_weights": {},
    },
    {
        "slug": "e-journals-and-e-books",
        "title": "E-journals and e-books with your NHS OpenAthens account",
        "category": "Digital skills and social media",
        "summary": "Get to full-text articles and e-books from work, home or your phone.",
        "description": (
            "An online walk-through of OpenAthens and the national and local collections."
        ),
        "learning_outcomes": (
            "Register for and sign in with OpenAthens\n"
            "Find a journal and an e-book\n"
            "Get the full text on your phone"
        ),
        "level": "novice",
        "duration_minutes": 60,
        "audience": "Everyone.",
        "tags": "OpenAthens, e-journals, e-books",
        "delivery": "online",
        "visibility": "public",
        "default_capacity": 20,
        "trainers": ["Tom Hughes"],
        "online_link": "https://meet.riverside-hospitals.example/e-resources",
        "agenda": [
            {"minutes": 15, "title": "OpenAthens"},
            {"minutes": 25, "title": "Finding journals and e-books"},
            {"minutes": 20, "title": "On your phone"},
        ],
        "questions": [],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 13, "weekday": 1, "time": "12:30"},
        "demand": 0.55,
        "cancel": 0.12,
        "late": 0.3,
        "no_show": 0.2,
        "audience_weights": {},
    },
    {
        "slug": "evidence-based-practice-school-nursing",
        "title": "Evidence-based practice for the school nursing team",
        "category": "Finding the evidence",
        "summary": "A session for the school nursing team: finding and using evidence together.",
        "description": "Run for the team at their request, at their base.",
        "learning_outcomes": "Find evidence for a team question\nShare it with the team",
        "level": "novice",
        "duration_minutes": 90,
        "audience": "The school nursing team.",
        "tags": "evidence-based practice, school nursing, team session",
        "delivery": "in_person",
        "visibility": "closed",
        "default_capacity": 20,
        "trainers": ["Rachel Okafor"],
        "venue": "Meeting room 1, Riverside Community Health offices",
        "agenda": [
            {"minutes": 30, "title": "The team's questions"},
            {"minutes": 45, "title": "Searching together"},
            {"minutes": 15, "title": "Next steps"},
        ],
        "questions": [],
        "materials": [],
        # The same team twice: people who came before come again.
        "schedule": {"kind": "team", "months": [8, 19]},
        "repeat_attendees": True,
        "demand": 0.9,
        "cancel": 0.1,
        "late": 0.3,
        "no_show": 0.08,
        "audience_weights": {"School nursing": 1, "*": 0},
    },
    {
        "slug": "getting-started-with-yammer",
        "title": "Getting started with Yammer",
        "category": "Digital skills and social media",
        "summary": "The Trust's internal social network, for beginners.",
        "description": "Replaced by the Trust's move to Teams communities.",
        "learning_outcomes": "Join groups\nPost and reply",
        "level": "novice",
        "duration_minutes": 60,
        "audience": "Everyone.",
        "tags": "Yammer, social media",
        "delivery": "in_person",
        "visibility": "staff",
        "default_capacity": 10,
        "trainers": ["Tom Hughes"],
        "venue": f"Computer training room, {SITE}",
        "agenda": [],
        "questions": [],
        "materials": [],
        "schedule": {"kind": "every", "weeks": 9, "weekday": 3, "time": "10:00", "until": 8},
        "archive_after_months": 9,
        "demand": 0.4,
        "cancel": 0.2,
        "late": 0.3,
        "no_show": 0.25,
        "audience_weights": {},
    },
]

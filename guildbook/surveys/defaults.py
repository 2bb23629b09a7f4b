"""The built-in follow-up survey that every course starts with.

Written as plain data and one function that takes the model classes, so the data migration
(with its historical models) and the services (with today's) build the same template.
"""

from __future__ import annotations

DEFAULT_TITLE = "Follow-up: a month after the session"
DEFAULT_INTRO = (
    "A month on, we would like to know whether the session has made a difference to your "
    "work. It takes a minute; only the first question needs an answer."
)
FIRST_QUESTION = "Have you used what you learned since the session?"
NOT_YET = "Not yet"

# (kind, text, help text, required, is impact, [(choice label, counts as impact)], extras)
QUESTIONS = [
    (
        "single",
        FIRST_QUESTION,
        "",
        True,
        True,
        [
            ("Yes, regularly", True),
            ("Yes, a little", True),
            ("I tried and stopped", False),
            (NOT_YET, False),
        ],
        {},
    ),
    (
        "long_text",
        "What helped?",
        "For example a colleague's help, a guide, or a reason to use it.",
        False,
        False,
        [],
        {},
    ),
    (
        "long_text",
        "What got in the way?",
        "Time, access, confidence: anything we could help with.",
        False,
        False,
        [],
        {"show_if": (1, NOT_YET)},
    ),
    (
        "scale",
        "How confident do you feel about it now?",
        "",
        False,
        False,
        [],
        {"scale_low_label": "Not at all confident", "scale_high_label": "Very confident"},
    ),
    ("long_text", "Anything else you would like to tell us?", "", False, False, [], {}),
]


def build_default_template(Template, Question, Choice, *, title=DEFAULT_TITLE, first=None):
    """Create a template with the default questions (not marked as the default: the caller
    decides). `first` rewords the first question (the demo's Twitter wording)."""
    template = Template.objects.create(title=title, intro=DEFAULT_INTRO)
    by_position = {}
    for position, (kind, text, help_text, required, impact, choices, extra) in enumerate(
        QUESTIONS, start=1
    ):
        if position == 1 and first:
            text = first
        condition = {}
        if "show_if" in extra:
            parent_position, label = extra["show_if"]
            parent, parent_choices = by_position[parent_position]
            condition = {"show_if_question": parent, "show_if_choice": parent_choices[label]}
        question = Question.objects.create(
            template=template,
            position=position,
            kind=kind,
            text=text,
            help_text=help_text,
            required=required,
            is_impact=impact,
            scale_low_label=extra.get("scale_low_label", ""),
            scale_high_label=extra.get("scale_high_label", ""),
            **condition,
        )
        made = {}
        for choice_position, (label, counts) in enumerate(choices, start=1):
            made[label] = Choice.objects.create(
                question=question, position=choice_position, label=label, counts_as_impact=counts
            )
        by_position[position] = (question, made)
    return template

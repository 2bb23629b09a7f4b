"""Reads of follow-up surveys, by topic: figures.py (what a results page draws), scope.py
(what results count over; loading what a trainer asks for), results.py (one moment's
results), overview.py (across courses), answers.py (a person's own), templates.py (the
templates and how far each version is used).

Results are figures for one survey moment (e.g. a course's follow-up at 30 days) over a
scope: one session, one course, or every course, optionally within a period of session
dates. The words, as the surveys plan defines them:

- invitations: scheduled (not withdrawn) invitations that are due, i.e. sent;
- responses: those invitations that were answered (in Guildbook or an outside survey);
- response rate: responses / invitations;
- impact rate: of the people who answered the impact question, the share whose answer
  counts as impact ("Yes, regularly", "Yes, a little").

Every figure is counted in the database (GROUP BY with Count), so a results page asks the
same number of queries whether a session had five answers or five thousand; only the
free-text answers leave the database one by one, because they are listed.

Answers to different versions of a template are grouped by question: questions of one
template family with the same wording and kind are the same question, whatever their
position; the result says which versions asked it.

Anonymous moments: answers are shown only for whole calendar quarters that hold at least
k responses, and any dates asked for are widened to whole quarters (`anonymity.py` says
why: no two results can then be subtracted to isolate fewer than k people).
"""

from guildbook.surveys.selectors.answers import (
    answer_words,
    my_answers,
)
from guildbook.surveys.selectors.figures import (
    ChoiceResult,
    QuestionResult,
    Rate,
    Results,
    ScaleResult,
    SessionFigures,
    TextAnswer,
)
from guildbook.surveys.selectors.overview import (
    MomentSummary,
    results_overview,
)
from guildbook.surveys.selectors.results import (
    question_groups,
    results_for,
)
from guildbook.surveys.selectors.scope import (
    course_for_results,
    due_invitations,
    moments_of_course,
    pick_moment,
    session_for_results,
    session_scope,
)
from guildbook.surveys.selectors.templates import (
    choice_for_editing,
    courses_using,
    question_for_editing,
    template_current,
    template_questions,
    template_usage,
    template_version,
    template_versions,
    templates_for_list,
)

__all__ = [
    "ChoiceResult",
    "MomentSummary",
    "QuestionResult",
    "Rate",
    "Results",
    "ScaleResult",
    "SessionFigures",
    "TextAnswer",
    "answer_words",
    "choice_for_editing",
    "course_for_results",
    "courses_using",
    "due_invitations",
    "moments_of_course",
    "my_answers",
    "pick_moment",
    "question_for_editing",
    "question_groups",
    "results_for",
    "results_overview",
    "session_for_results",
    "session_scope",
    "template_current",
    "template_questions",
    "template_usage",
    "template_version",
    "template_versions",
    "templates_for_list",
]

"""How often should we run this course? The frequency planner.

The model, in words a trainer can check:

* People who want the course arrive at a steady rate, `demand` a month. A session gathers
  those who arrived since the one before, so a session every `m` months meets about
  `demand × m` people (a Poisson number). Each month's demand is the people who booked or
  joined a waiting list for that month's sessions, or who registered interest in the course
  ("tell me when there's a date") since the sessions before, each person once.
* A session that filled with no waiting list open (none was offered, or it was closed) only
  shows that demand was *at least* what it took: such months are censored, and the estimate
  uses the probability of "at least that many", not "exactly that many".
* Of the people who take a place, some give it up early (it goes to someone else), some
  late (it stays empty), and some do not come: three rates from the history.
* For each cadence and capacity the planner works out the expected places taken, fill
  (places held at the start ÷ capacity), attendance (÷ capacity), empty seats and the share
  of people left without a place. Uncertainty comes from the history being finite: the
  demand's likely values (a grid over the rate, with Jeffreys' prior) and each attrition
  rate's (a Beta distribution) are drawn 400 times with a fixed seed, and each projection's
  80% interval is the 10th to 90th percentile of its expected value over those draws. So the
  interval says where the *average* session's figure lies, not the spread between sessions.

The recommendation is the cadence whose means meet the targets, the one with the fewest
sessions a year when several do. The core (`estimate_demand`, `project`, `recommend`) works on
plain numbers so it can be checked on simulated demand; `plan_for_course` reads the history.

Where each part lives:

* `model.py`: the values (targets, observations, bands, demand, attrition, projections, plans);
* `demand.py`: estimating demand a month, censoring included, and the attrition rates;
* `projection.py`: each cadence's expected figures and their intervals;
* `recommendation.py`: the recommendation, its explanation, `plan` and the backtest;
* `history.py`: reading a course's history (`observations_for`), extra sessions and
  `plan_for_course`.
"""

from guildbook.insights.planner.demand import attrition_of, estimate_demand
from guildbook.insights.planner.history import extra_sessions, observations_for, plan_for_course
from guildbook.insights.planner.model import (
    DEFAULT_CADENCES,
    Attrition,
    Backtest,
    Band,
    Demand,
    ExtraSession,
    Observation,
    Plan,
    Projection,
    Targets,
    cadence_label,
)
from guildbook.insights.planner.projection import expected_figures, expected_taken, project
from guildbook.insights.planner.recommendation import backtest, explain, plan, recommend

__all__ = [
    "DEFAULT_CADENCES",
    "Attrition",
    "Backtest",
    "Band",
    "Demand",
    "ExtraSession",
    "Observation",
    "Plan",
    "Projection",
    "Targets",
    "attrition_of",
    "backtest",
    "cadence_label",
    "estimate_demand",
    "expected_figures",
    "expected_taken",
    "explain",
    "extra_sessions",
    "observations_for",
    "plan",
    "plan_for_course",
    "project",
    "recommend",
]

"""Every write to follow-up surveys. One function per operation, one transaction each.

Sections: templates (authoring and versions), moments (a course's survey settings),
invitations (scheduled with the attendance that makes them due, moved with the session),
answers.
"""

from __future__ import annotations

# --- Templates ---------------------------------------------------------------------------


# --- Moments -----------------------------------------------------------------------------


# --- Invitations -------------------------------------------------------------------------


# --- Answers -----------------------------------------------------------------------------

"""Auto-checks for the exercises: run the learner's answer, say right or wrong, give a hint.

Every check returns a :class:`~course_utils.checks.base.CheckResult` that prints as a
short verdict. A blank answer (``None`` or ``...``) is "not attempted yet", never an error.
A check runs on a copy of the learner's model and never raises. Lesson 05's "find the
settings" challenges are in :mod:`.arithmetic`; lesson 11's exercises in :mod:`.exercises`,
one module per exercise (``ex1_architecture`` … ``ex5_depth_width``).
"""

from .arithmetic import check_settings
from .base import CheckResult, not_attempted

__all__ = ["CheckResult", "check_settings", "not_attempted"]

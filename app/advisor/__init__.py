"""The recommendation service: pure Python, no web or database imports.

`recommend(answers, *, as_of=None)` takes answers-v2 (a dict or `Answers`; v1 is a subset) and returns a
`Recommendation`;
`.model_dump(mode="json")` is the output contract of shared/design.md.
"""

from app.advisor.costs import CostAssumptions
from app.advisor.models import Answers, Recommendation
from app.advisor.recommend import ENGINE_VERSION, recommend

__all__ = ["ENGINE_VERSION", "Answers", "CostAssumptions", "Recommendation", "recommend"]

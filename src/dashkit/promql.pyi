# Type checkers only: at run time dashkit/__init__.py registers dashkit.promql as dashkit.query.promql.
from dashkit.query.promql import *  # noqa: F403

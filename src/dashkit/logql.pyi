# Type checkers only: at run time dashkit/__init__.py registers dashkit.logql as dashkit.query.logql.
from dashkit.query.logql import *  # noqa: F403

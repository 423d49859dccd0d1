# Type checkers only: at run time dashkit/__init__.py registers dashkit.catalog as dashkit.query.catalog.
from dashkit.query.catalog import *  # noqa: F403

# Type checkers only: at run time dashkit/__init__.py registers dashkit.catalogs as dashkit.query.catalogs.
from dashkit.query.catalogs import *  # noqa: F403

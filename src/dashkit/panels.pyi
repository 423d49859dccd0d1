# Type checkers only: at run time dashkit/__init__.py registers dashkit.panels as dashkit.sdk.panels.
from dashkit.sdk.panels import *  # noqa: F403

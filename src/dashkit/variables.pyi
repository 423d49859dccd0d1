# Type checkers only: at run time dashkit/__init__.py registers dashkit.variables as dashkit.sdk.variables.
from dashkit.sdk.variables import *  # noqa: F403

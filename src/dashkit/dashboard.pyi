# Type checkers only: at run time dashkit/__init__.py registers dashkit.dashboard as dashkit.sdk.dashboard.
from dashkit.sdk.dashboard import *  # noqa: F403

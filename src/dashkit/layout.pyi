# Type checkers only: at run time dashkit/__init__.py registers dashkit.layout as dashkit.sdk.layout.
from dashkit.sdk.layout import *  # noqa: F403

# Type checkers only: at run time dashkit/__init__.py registers dashkit.composites as dashkit.sdk.composites.
from dashkit.sdk.composites import *  # noqa: F403

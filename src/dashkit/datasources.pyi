# Type checkers only: at run time dashkit/__init__.py registers dashkit.datasources as dashkit.sdk.datasources.
from dashkit.sdk.datasources import *  # noqa: F403

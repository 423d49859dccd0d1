"""Text from input made safe to print: one line with no control characters (server answers and
imported titles reach the terminal through ``printable``), and the run's secrets never shown."""
from __future__ import annotations

#: The run's own secrets (a token, a password, the Authorization header made of them).
_SECRETS: set[str] = set()


def keep_secret(*secrets: str) -> None:
    """Remember secrets of this run, so that no message shows them, whatever produced it (a
    server that echoes the request's Authorization header back, an exception's text)."""
    _SECRETS.update(secret for secret in secrets if secret)


def scrub(text: str) -> str:
    """``text`` with each of the run's secrets replaced by ``***`` (the longest first, so a
    header made of a secret goes whole)."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def printable(text: object) -> str:
    """``text`` as one line a terminal shows as written: control characters (escape sequences,
    newlines that would fake another line) become spaces, and the run's secrets ``***``. Server
    answers and imported titles reach the output through here."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return scrub(" ".join(flat.split()))

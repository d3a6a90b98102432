"""How long background work will take, said the way a person reads it."""

from __future__ import annotations


def rough_span(seconds: float) -> str:
    """"40 s", "12 min", "2.5 h": whole seconds under 1.5 minutes, whole minutes under
    1.5 hours, then hours with one decimal (estimates: more digits would be false)."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"

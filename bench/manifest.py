"""What the load client needs to know about the seeded data (no Django imports)."""

from __future__ import annotations

from dataclasses import dataclass, field

PASSWORD = "bench-password-2026"  # noqa: S105 - a throw-away benchmark database
# Debtor-name fragments of op (b); the seeder's name lists contain them.
SEARCH_FRAGMENTS = ("berg", "holm", "mann", "lund")
SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def scale_cases(scale: str) -> int:
    try:
        return SCALES[scale.lower()]
    except KeyError:
        raise SystemExit(
            f"SCALE must be one of {', '.join(SCALES)}, not {scale!r}"
        ) from None


@dataclass
class Manifest:
    """What the load client needs to know about the seeded data."""

    scale: str
    vendor: str
    cases: int
    partner_id: int
    client_id: int
    partner_users: list[str]
    client_users: list[str]
    hot_cases: list[int]
    post_cases: list[int]
    fragments: list[str] = field(default_factory=lambda: list(SEARCH_FRAGMENTS))
    password: str = PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

"""Counted words: "1 problem", "2 problems"; "1 ongelma", "2 ongelmaa"; "1 dag", "2 dagar".

Finnish, Swedish and English share one rule: the singular for exactly one, the other form
for every other number (0 too: "0 päivää", "0 dagar", "0 days"). So a counted word is two
forms and a number, in code as `counted(n, "day", "days")` and in the console's texts as
`{days:#päivä|päivää}`, which `PluralFormatter` turns into "3 päivää".
"""

from __future__ import annotations

import string
from typing import Any


def counted(n: int, one: str, other: str) -> str:
    """`n` and the word in the form that number takes: counted(1, "day", "days") == "1 day"."""
    return f"{n} {one if n == 1 else other}"


class PluralFormatter(string.Formatter):
    """str.format, plus the spec `#ONE|OTHER`: `{n:#day|days}` gives "1 day" or "2 days"."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("#"):
            one, _, other = format_spec[1:].partition("|")
            return counted(int(value), one, other or one)
        return super().format_field(value, format_spec)


FORMATTER = PluralFormatter()

"""Advice on ticket prefixes that customers could mistake for each other.

A number is read from a screen across the room and heard in a chime announcement. Letters
that look like digits (I/1, O/0, S/5, B/8, Z/2) or whose Finnish names sound alike
(B "bee", D "dee", P "pee", T "tee", V "vee", E "ee", G "gee"; also M "äm" / N "än") are
easy to confuse. These are warnings: the site may have reasons, but should know.
"""

from __future__ import annotations

from firmware.site_model import SiteConfig

LOOKS_LIKE_A_DIGIT = {"I": "1", "O": "0", "S": "5", "B": "8", "Z": "2", "G": "6"}
RHYMING_GROUPS = (frozenset("BCDEGPTVW"), frozenset("MN"), frozenset("FLRS"), frozenset("KH"))


def prefix_warnings(config: SiteConfig) -> list[str]:
    if config.site.anonymous_numbering:
        return []  # no prefixes are shown
    prefixes = {s.prefix: s.id for s in config.services}
    warnings = []
    for prefix, service in sorted(prefixes.items()):
        if prefix in LOOKS_LIKE_A_DIGIT:
            warnings.append(f"services '{service}': prefix {prefix} looks like the digit "
                            f"{LOOKS_LIKE_A_DIGIT[prefix]} on a screen")
    for group in RHYMING_GROUPS:
        used = sorted(p for p in prefixes if p in group)
        if len(used) > 1:
            names = ", ".join(f"{p} ({prefixes[p]})" for p in used)
            warnings.append(f"prefixes {names} sound alike when read aloud in Finnish")
    return warnings

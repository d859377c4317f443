"""check-config warns about ticket prefixes customers could mistake for each other."""

from __future__ import annotations

import dataclasses
import io

from firmware.cli.check_config import check_config_main
from firmware.site_config.prefix_advice import prefix_warnings
from testkit.site_factory import small_site
from tests.conftest import DEMO_SITE


def with_prefixes(*prefixes: str, anonymous: bool = False):
    config = small_site(anonymous=anonymous)
    services = tuple(dataclasses.replace(s, prefix=p) for s, p in zip(config.services, prefixes,
                                                                       strict=True))
    return dataclasses.replace(config, services=services)


def test_digit_lookalikes_and_rhymes_are_named() -> None:
    warnings = prefix_warnings(with_prefixes("O", "P", "T"))
    assert any("prefix O looks like the digit 0" in w for w in warnings)
    assert any("P (vero), T (migri) sound alike" in w for w in warnings)


def test_distinct_prefixes_and_anonymous_sites_get_no_warning() -> None:
    assert prefix_warnings(with_prefixes("K", "V", "M")) == []
    assert prefix_warnings(with_prefixes("O", "P", "T", anonymous=True)) == []


def test_the_demo_site_is_clean_and_check_config_passes() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert check_config_main(str(DEMO_SITE), False, out, err) == 0
    assert "warning" not in err.getvalue()

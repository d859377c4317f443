"""Reading a site's TOML config into the typed model, and saying everything that is wrong.

A technician fixing a config on a ladder wants the whole list at once, each item naming the
field (`services[2].hours.wed[0]`), what was expected and what was found, with a "did you
mean" for typos. So nothing here stops at the first problem: every check adds to one list and
`ConfigError` carries all of it. One module reads one table of the file (`site`, `broker`,
`queue`, `services`, `rooms`, `devices` with its `printer`, `kiosk`, `display` and
`room_unit` tables); `loader` runs them all and the checks that span sections (unique ids,
rooms' services, hours inside the opening hours) on whatever parts were readable.

The format is documented by `config/demo-site.toml`.
"""

from firmware.site_config.loader import apply_overrides, load_site_config, parse_site_config
from firmware.site_config.reader import ConfigError, ConfigProblem

__all__ = ["ConfigError", "ConfigProblem", "apply_overrides", "load_site_config",
           "parse_site_config"]

"""`python -m firmware.cli` is `piste` (the installer runs it before the venv has a script)."""

from firmware.cli.main import entry

entry()

"""The `[survey]` table: the month of the yearly customer survey and its texts.

A site's own texts file (say, with the official Swedish and English versions) is read here,
so `piste check-config` lists its problems with the rest of the config's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from firmware.core.survey import SurveyTextError, load_survey_texts
from firmware.site_config.reader import (
    Reader,
    boolean_field,
    join_path,
    plain_date,
    text_field,
)
from firmware.site_model import SurveyConfig

SURVEY_KEYS = ("start", "end", "kiosk", "texts")


def read_survey(r: Reader, value: Any, path: str, base_dir: Path | None) -> SurveyConfig | None:
    table = r.table(value, path, SURVEY_KEYS)
    if table is None:
        return None
    start = r.get(table, path, "start", plain_date)
    end = r.get(table, path, "end", plain_date)
    kiosk = r.get(table, path, "kiosk", boolean_field, default=False)
    texts = r.get(table, path, "texts", text_field, default="")
    if start is None or end is None or kiosk is None or texts is None:
        return None
    if end < start:
        r.add(join_path(path, "end"), f"the survey ends ({end}) before it starts ({start})")
        return None
    if texts:
        texts = _checked_texts(r, texts, join_path(path, "texts"), base_dir)
        if texts is None:
            return None
    return SurveyConfig(start, end, kiosk, texts)


def _checked_texts(r: Reader, texts: str, path: str, base_dir: Path | None) -> str | None:
    """The texts file as an absolute path, once it is known to load."""
    file = Path(texts)
    if not file.is_absolute() and base_dir is not None:
        file = base_dir / file
    try:
        load_survey_texts(file.read_text(encoding="utf-8"), str(file))
    except OSError as exc:
        r.add(path, f"cannot read {file}: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError:
        r.add(path, f"{file} is not UTF-8 text")
        return None
    except SurveyTextError as exc:
        for problem in exc.problems:
            r.add(path, f"{file}: {problem}")
        return None
    return str(file.resolve())

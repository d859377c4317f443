"""The survey's texts a device uses: the site's own file if the config names one, else ours.

The config check has already loaded the site's file once (`piste check-config` lists its
problems), so here it is only read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from firmware.core.survey import Survey, load_survey_texts, shipped_survey
from firmware.site_model import SurveyConfig


@lru_cache(maxsize=4)  # a display asks at every slide; the file does not change under it
def load_survey(config: SurveyConfig) -> Survey:
    if config.texts:
        return load_survey_texts(Path(config.texts).read_text(encoding="utf-8"), config.texts)
    return shipped_survey()


def announcement(survey: Survey) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """The queue displays' slide during the survey month: (title, text), each fi/sv/en."""
    title, text = survey.feedback["announce_title"], survey.feedback["announce"]
    return ((title["fi"], title["sv"], title["en"]), (text["fi"], text["sv"], text["en"]))

"""The field types every part of the policy shares: names, durations, match values, and the
frozen base model. Pure: pydantic and models.durations only (models.policy and
models.goal_spec build on it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from models.durations import parse_duration

MAX_NAME_CHARS = 64
MAX_MATCH_VALUES = 100
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]

# Text only: a bare number would silently mean seconds, which nobody who writes `target: 15` means.
Duration = Annotated[timedelta, BeforeValidator(lambda v: v if isinstance(v, timedelta) else parse_duration(v))]
MatchValue = Name | Annotated[list[Name], Field(max_length=MAX_MATCH_VALUES)]


class Frozen(BaseModel):
    # No inf or nan: YAML reads .inf as a number, and a goal of infinite leads is no goal.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

"""Faust codecs for pydantic models, so a table holds model objects, not dicts."""

from __future__ import annotations

from typing import Any

from faust.serializers import codecs
from pydantic import BaseModel

from models.lead_state import LeadState


class PydanticCodec(codecs.Codec):
    def __init__(self, model: type[BaseModel], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model

    def _dumps(self, obj: BaseModel) -> bytes:
        return obj.model_dump_json(exclude_defaults=True).encode()

    def _loads(self, s: bytes) -> BaseModel:
        return self.model.model_validate_json(s)


LEAD_STATE_CODEC = "leadsla_lead_state"
codecs.register(LEAD_STATE_CODEC, PydanticCodec(LeadState))

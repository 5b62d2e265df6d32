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


def hold_models(table, codec: str) -> None:
    """Make ``table`` hold model objects, in its writes *and* after recovery.

    ``app.Table()`` builds the changelog topic when it registers the table, with the
    default (json) serializer, and recovery decodes with the topic's serializer: with
    ``value_serializer`` alone, a restarted worker finds dicts where models were.
    """
    table.value_serializer = codec
    table.changelog_topic = table._new_changelog_topic()

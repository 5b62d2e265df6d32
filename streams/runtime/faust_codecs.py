"""Faust codecs, so a table holds domain objects, not dicts."""

from __future__ import annotations

import json
from typing import Any

from faust.serializers import codecs
from pydantic import BaseModel

from models.state_codec import state_from_value, state_to_value


class PydanticCodec(codecs.Codec):
    def __init__(self, model: type[BaseModel], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model

    def _dumps(self, obj: BaseModel) -> bytes:
        return obj.model_dump_json(exclude_defaults=True).encode()

    def _loads(self, s: bytes) -> BaseModel:
        return self.model.model_validate_json(s)


class LeadStateCodec(codecs.Codec):
    """A lead's compact state (models.state_codec) as JSON."""

    def _dumps(self, obj) -> bytes:
        return json.dumps(state_to_value(obj), separators=(",", ":")).encode()

    def _loads(self, s: bytes):
        return state_from_value(json.loads(s))


LEAD_STATE_CODEC = "leadsla_lead_state"
codecs.register(LEAD_STATE_CODEC, LeadStateCodec())


def hold_models(table, codec: str) -> None:
    """Make ``table`` hold model objects, in its writes *and* after recovery.

    ``app.Table()`` builds the changelog topic when it registers the table, with the
    default (json) serializer, and recovery decodes with the topic's serializer: with
    ``value_serializer`` alone, a restarted worker finds dicts where models were.
    """
    table.value_serializer = codec
    table.changelog_topic = table._new_changelog_topic()

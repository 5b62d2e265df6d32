"""Which topics the pipeline needs, with partitions and retention, for the admin client."""

from __future__ import annotations

from streams.kafka.admin import TopicSpec
from streams.runtime.settings import Settings

DAY_MS = 24 * 3600 * 1000
INPUT_RETENTION_MS = 400 * DAY_MS  # a year and a month: audits replay any past month


def topic_specs(settings: Settings) -> list[TopicSpec]:
    topics, n = settings.topics, settings.partitions
    return [
        *(TopicSpec(name, n, retention_ms=INPUT_RETENTION_MS) for name in topics.inputs),
        TopicSpec(topics.deals, n, retention_ms=INPUT_RETENTION_MS),  # read by the closed-loop agent
        TopicSpec(topics.ticks, n, retention_ms=INPUT_RETENTION_MS),  # the live clock, for audits
        TopicSpec(topics.outcomes, n, retention_ms=INPUT_RETENTION_MS),
        TopicSpec(topics.dead_letters, 1, retention_ms=30 * DAY_MS),
    ]

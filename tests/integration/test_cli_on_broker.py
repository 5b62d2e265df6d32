"""User errors against a real broker: reported in one message with an exit code, no traceback."""

from __future__ import annotations

import pytest

from tests.stream.commands.test_cli_failures import _elsewhere, leadsla  # noqa: F401 - the fixture runs each test in tmp

pytestmark = pytest.mark.broker


def test_evaluate_on_a_broker_without_the_input_topics_names_the_topic_and_the_setting(kafka_bootstrap, unique_name):
    prefix = unique_name("absent")
    result = leadsla("evaluate", "--broker", kafka_bootstrap, env={"LEADSLA_TOPIC_PREFIX": prefix}, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"leadsla: topic '{prefix}.lead-conversions' does not exist on {kafka_bootstrap}: "
                             "nothing to evaluate there (topic names come from LEADSLA_TOPIC_PREFIX)\n")

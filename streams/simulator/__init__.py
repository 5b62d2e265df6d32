"""Simulated CRM traffic and its feed into Kafka; imports runtime, kafka and models."""

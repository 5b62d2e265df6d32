"""The pure domain: events, policy, calendars, the lead lifecycle and the tracker; imports no
Faust, Kafka, HTTP or metrics, and never reads the clock, the environment, files, sockets or
processes."""

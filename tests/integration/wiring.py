"""Which tests wait for the commands' wiring of the deployment settings.

The security settings (LEADSLA_KAFKA_*) and the metrics address (LEADSLA_METRICS_HOST) reach the
worker, `simulate` and `evaluate --broker` through streams/commands and streams/cli.py, which
another change owns while this branch is reviewed. The wiring is one commit on top of it
(branch secure-deploy-wiring), which also deletes this file. Until then these tests fail, as
expected: strict, so they report it the moment the wiring lands.
"""

import pytest

NEEDS_COMMAND_WIRING = pytest.mark.xfail(
    strict=True, reason="streams/commands does not yet pass settings.kafka and settings.metrics_host "
                        "to its clients (branch secure-deploy-wiring)")

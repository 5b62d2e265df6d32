"""Posting JSON to a webhook (the digest's ``--post``): one request, a bounded wait, and a
failure reported as a message naming the URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from streams.commands.failures import EXIT_UNAVAILABLE, UserError

TIMEOUT_S = 15.0


def post_json(url: str, document: dict) -> None:
    if not url.startswith(("http://", "https://")):
        raise UserError(f"--post needs an http:// or https:// URL, not {url!r}")
    request = urllib.request.Request(url, data=json.dumps(document).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise UserError(f"the webhook at {url} answered {error.code} {error.reason}", EXIT_UNAVAILABLE) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"cannot post to the webhook at {url}: {reason}", EXIT_UNAVAILABLE) from None

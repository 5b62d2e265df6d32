"""Compression of the records leadsla produces: one setting, spelled for each Kafka client.

Reading needs nothing here: every client decompresses whatever codec a batch carries,
provided its libraries are installed (pyproject.toml: cramjam for aiokafka, under
Faust; python-snappy, lz4 and zstandard for kafka-python). Writing is a choice, made
once (``LEADSLA_COMPRESSION``) and applied to the worker's producer (Faust, aiokafka)
and to kafka-python's (the simulator, ``produce``).
"""

from __future__ import annotations

import aiokafka.codec
import kafka.codec

SETTING = "LEADSLA_COMPRESSION"
CODECS = ("gzip", "snappy", "lz4", "zstd")
_NONE = ("", "none")
# Whether each client can use a codec; gzip is in the standard library.
_AVAILABLE = {
    "gzip": lambda: True,
    "snappy": lambda: aiokafka.codec.has_snappy() and kafka.codec.has_snappy(),
    "lz4": lambda: aiokafka.codec.has_lz4() and kafka.codec.has_lz4(),
    "zstd": lambda: aiokafka.codec.has_zstd() and kafka.codec.has_zstd(),
}


def compression_from_setting(raw: str | None) -> str | None:
    """The codec named by the setting's text, or None for no compression.

    Raises ValueError naming the setting for an unknown codec, or one whose library
    is missing: better at start-up than at the first send.
    """
    codec = (raw or "").strip().lower()
    if codec in _NONE:
        return None
    if codec not in CODECS:
        raise ValueError(f"{SETTING} must be one of none, {', '.join(CODECS)}; not {raw!r}")
    if not _AVAILABLE[codec]():
        raise ValueError(f"{SETTING}={codec}: the {codec} libraries are not installed "
                         "(pip install cramjam python-snappy lz4 zstandard)")
    return codec


def faust_producer_options(codec: str | None) -> dict[str, str]:
    """Options for ``faust.App(...)``: its producer is aiokafka's."""
    return {"producer_compression_type": codec} if codec else {}


def kafka_python_producer_options(codec: str | None) -> dict[str, str]:
    """Options for ``kafka.KafkaProducer(...)``."""
    return {"compression_type": codec} if codec else {}

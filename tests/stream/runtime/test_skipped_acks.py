"""A record Faust skips unprocessed at a rebalance or the stop is never committed.

Faust's own consumer, not a stand-in: the offsets it would commit are read from it."""

from __future__ import annotations

import faust
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from streams.runtime.skipped_acks import AckGuard

TOPIC = "leads-in"


def consumer_of_one_topic():
    app = faust.App("acks-test", broker="kafka://127.0.0.1:1")
    app.topics.add(app.topic(TOPIC))
    app.topics._acking_topics.add(TOPIC)  # what subscribing an agent to the topic does
    app.consumer_generation_id = 7
    app.flow_control.resume()  # as after the worker joined its group
    AckGuard(app)
    return app, app.consumer


def record(offset: int, generation: int = 7) -> ConsumerMessage:
    return ConsumerMessage(TOPIC, 0, offset, 0.0, 0, None, b"k", b"v", None, tp=TP(TOPIC, 0),
                           generation_id=generation)


def committable(consumer) -> int | None:
    return consumer._new_offset(TP(TOPIC, 0))


def test_records_processed_in_order_are_committed():
    app, consumer = consumer_of_one_topic()
    for offset in range(3):
        record(offset).ack(consumer)
    assert committable(consumer) == 3


def test_a_record_skipped_while_flow_is_suspended_is_not_committed():
    app, consumer = consumer_of_one_topic()
    record(0).ack(consumer)
    app.flow_control.suspend()  # a rebalance or the stop began: Faust skips, then acks
    record(1).ack(consumer)
    assert committable(consumer) == 1  # up to the skipped record, not past it


def test_a_record_of_an_earlier_generation_is_not_committed():
    app, consumer = consumer_of_one_topic()
    record(0).ack(consumer)
    record(1, generation=6).ack(consumer)
    assert committable(consumer) == 1


def test_a_record_set_aside_by_the_tracker_is_not_committed():
    app, consumer = consumer_of_one_topic()
    guard = consumer.ack.__self__  # the AckGuard now answering for the consumer
    record(0).ack(consumer)
    aside = record(1)
    guard.set_aside(aside)
    aside.ack(consumer)
    assert committable(consumer) == 1


def test_acks_taken_back_from_a_hole_on_let_nothing_past_it_be_committed():
    app, consumer = consumer_of_one_topic()
    consumer._committed_offset[TP(TOPIC, 0)] = 3  # resumed at 3; 3 itself never came
    for offset in (4, 5):
        record(offset).ack(consumer)
    consumer.ack.__self__.take_back(TP(TOPIC, 0), 3)
    assert committable(consumer) is None

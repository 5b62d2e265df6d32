"""What a benchmark stage measured, and how the benchmark reports it and fails."""

from __future__ import annotations

from dataclasses import dataclass


class BenchError(RuntimeError):
    """A stage failed; the message says which, with the tail of its log."""


@dataclass(frozen=True)
class Rate:
    events: int
    seconds: float
    complete: bool = True  # False: the stage ran out of its time budget

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0



def report(label: str, rate: Rate) -> None:
    print(f"bench: {label}: {rate.events:,} in {rate.seconds:.2f} s = {rate.per_second:,.0f} ev/s")


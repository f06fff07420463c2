"""A client on a module's simulator (each client test module defines its own ``sim``)."""

from collections.abc import Iterator
from typing import Any

import pytest

from tracksolid.client import TracksolidClient
from tracksolid.signing import md5_hex
from tracksolid.tokens import MemoryTokenStore


@pytest.fixture(scope="module")
def store() -> MemoryTokenStore:
    # One store per simulator, as in production: a token per account, not per client.
    return MemoryTokenStore()


@pytest.fixture
def client(sim: Any, store: MemoryTokenStore) -> Iterator[TracksolidClient]:
    with TracksolidClient(
        "k",
        "s",
        "demo",
        md5_hex("demo"),
        base_url=sim.base_url,
        instruct_url=sim.instruct_url,
        token_store=store,
        rate_limit_delays=(0.05, 0.1, 0.2, 0.5),
        backoff=0.01,
    ) as c:
        yield c

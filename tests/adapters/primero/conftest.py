"""Fixtures for the Primero adapter tests: an in-process fake, a loopback HTTP fake, clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers live next to the tests (--import-mode=importlib does not add test dirs to sys.path).
sys.path.insert(0, str(Path(__file__).parent))

from primero_helpers import Sleeps, make_client

from cpcase.adapters.primero import FakePrimero, FakePrimeroServer, PrimeroClient


@pytest.fixture
def fake() -> FakePrimero:
    return FakePrimero()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(fake: FakePrimero, sleeps: Sleeps) -> PrimeroClient:
    return make_client(fake, sleeps)


@pytest.fixture
def server() -> Iterator[FakePrimeroServer]:
    with FakePrimeroServer(FakePrimero()) as srv:
        yield srv

"""Header embeddings: 1536 unit-length values, deterministic, similar headers close together."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.discovery.header_embedding import (
    EMBEDDING_DIMENSIONS,
    EmbedderUnavailable,
    HashedNgramEmbedder,
    embedder_from_settings,
    fit_dimensions,
    header_words,
)

ROOT = Path(__file__).resolve().parents[2]


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("RAM.TotalSizeInMB", ["ram", "total", "size", "in", "mb"]),
        ("MACAddress", ["mac", "address"]),
        ("vCPUs", ["v", "cpus"]),
        ("NICs", ["nics"]),
        ("\ufeff*Server_Name (optional)", ["server", "name", "optional"]),
        ("Disk 1 size", ["disk", "1", "size"]),
        ("", []),
    ],
)
def test_header_words(header: str, words: list[str]) -> None:
    assert header_words(header) == words


def test_header_words_keeps_listed_chunks_whole() -> None:
    assert header_words("IPv4 Address", keep=frozenset({"ipv4"})) == ["ipv4", "address"]


def test_vectors_have_1536_unit_length_values() -> None:
    embedder = HashedNgramEmbedder()
    [vector] = embedder.embed(["Server Name"])
    assert len(vector) == EMBEDDING_DIMENSIONS == embedder.dimensions
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0)
    assert embedder.model == "hashed-char-ngrams-v1"


def test_similar_headers_are_much_closer_than_unrelated_ones() -> None:
    server_name, srv_name, snake, unrelated_a, unrelated_b = HashedNgramEmbedder().embed(
        ["Server Name", "Srv Name", "server_name", "CPU Peak %", "Business Owner"]
    )
    assert _cosine(server_name, snake) > 0.99  # same words, other separators
    assert _cosine(server_name, srv_name) > 0.4  # shares "name" and the "<s" pieces
    for other in (unrelated_a, unrelated_b):
        assert _cosine(server_name, other) < 0.1
        assert _cosine(srv_name, other) < 0.1


def test_same_vector_in_another_process() -> None:
    """No Python hash(): a fresh interpreter (another hash seed) computes the same vector."""
    here = HashedNgramEmbedder().embed(["Primary IP Address"])[0]
    code = (
        "from domain.discovery.header_embedding import HashedNgramEmbedder;"
        "import json; print(json.dumps(HashedNgramEmbedder().embed(['Primary IP Address'])[0]))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert json.loads(there.stdout) == here


def test_header_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        HashedNgramEmbedder().embed(["--"])


def test_fit_dimensions_pads_shorter_vectors_and_keeps_cosines() -> None:
    a, b = [0.6, 0.8, 0.0], [0.0, 1.0, 0.0]
    fitted_a, fitted_b = fit_dimensions(a), fit_dimensions(b)
    assert len(fitted_a) == EMBEDDING_DIMENSIONS and fitted_a[:3] == pytest.approx(a) and not any(fitted_a[3:])
    assert _cosine(fitted_a, fitted_b) == pytest.approx(0.8)


def test_fit_dimensions_folds_longer_vectors_to_unit_length() -> None:
    long = [1.0 if i % 7 == 0 else 0.0 for i in range(3072)]
    folded = fit_dimensions(long)
    assert len(folded) == EMBEDDING_DIMENSIONS
    assert math.isclose(math.sqrt(sum(v * v for v in folded)), 1.0)
    assert _cosine(folded, fit_dimensions(long)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", [None, "", "  ", "hashed-char-ngrams-v1"])
def test_default_embedder_from_settings(name: str | None) -> None:
    assert isinstance(embedder_from_settings(name), HashedNgramEmbedder)


def test_configured_model_without_the_library_is_a_clear_error() -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(EmbedderUnavailable, match="sentence-transformers package is not installed"):
            embedder_from_settings("all-MiniLM-L6-v2")
    else:
        pytest.skip("sentence-transformers is installed here; the missing-package message cannot be shown")

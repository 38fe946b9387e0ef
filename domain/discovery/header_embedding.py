"""Embed column headers as 1536-value vectors, to find learned mappings by nearest neighbour.

`agent_learning_patterns.embedding` is `vector(1536)` with a cosine index, and each row records
the `embedding_model` that produced it; vectors from different models are not comparable.

The default `HashedNgramEmbedder` needs no model download and gives the same vector for the same
header on every process and machine: the header is split into lower-case words (camelCase,
dots, underscores and punctuation are word breaks), and each word contributes its character
3- and 4-grams (with the word's boundaries marked) and itself as a whole word. Every feature is
hashed with BLAKE2b into one of 1536 slots with a sign taken from the same digest (signed feature
hashing), and the vector is L2-normalised. Headers that share word pieces ("Server Name",
"server_name", "Srv Name") therefore have a high cosine; unrelated ones share almost nothing.

A sentence-transformers model can be configured instead (`embedder_from_settings`); its vectors
are padded with zeros (or folded by signed hashing when longer) to 1536 values and re-normalised,
and the model name records the fitting.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

EMBEDDING_DIMENSIONS = 1536

_CAMEL_WORDS = re.compile(r"[A-Z]+s?(?![a-z])|[A-Z]?[a-z]+|\d+")
_CHUNKS = re.compile(r"[^\W_]+")
_WORD_WEIGHT = 2.0
_NGRAM_SIZES = (3, 4)


class Embedder(Protocol):
    """Turns texts into vectors of `dimensions` floats; `model` names it in the database."""

    model: str
    dimensions: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class EmbedderUnavailable(ValueError):
    """The configured embedding model cannot be built here."""


def header_words(header: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """Lower-case words of a header: `'RAM.TotalSizeInMB'` -> `['ram', 'total', 'size', 'in', 'mb']`.

    camelCase and runs of capitals are split (`'MACAddress'` -> `mac`, `address`; `'NICs'` stays
    whole); digits are words of their own. A chunk between separators whose lower-case form is in
    `keep` (`'vCPU'`, `'IPv4'`) is not split.
    """
    words: list[str] = []
    for chunk in _CHUNKS.findall(header.replace("\ufeff", "")):
        lowered = chunk.casefold()
        if lowered in keep:
            words.append(lowered)
        else:
            words.extend(word.casefold() for word in _CAMEL_WORDS.findall(chunk) or [chunk])
    return words


@lru_cache(maxsize=65536)
def _slot(feature: str) -> tuple[int, float]:
    digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
    return digest % EMBEDDING_DIMENSIONS, 1.0 if digest >> 63 else -1.0


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in header_words(text):
        features.append(("w:" + word, _WORD_WEIGHT))
        marked = f"<{word}>"
        for size in _NGRAM_SIZES:
            features.extend((marked[i : i + size], 1.0) for i in range(max(1, len(marked) - size + 1)))
    return features


def _normalised(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0.0:
        raise ValueError("cannot embed a vector of zeros")
    return [value / norm for value in vector]


class HashedNgramEmbedder:
    """Offline, deterministic embedder of headers by signed hashing of character n-grams and words."""

    model = "hashed-char-ngrams-v1"
    dimensions = EMBEDDING_DIMENSIONS

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        features = _features(text)
        if not features:
            raise ValueError(f"cannot embed {text!r}: it has no letters or digits")
        vector = [0.0] * EMBEDDING_DIMENSIONS
        for feature, weight in features:
            slot, sign = _slot(feature)
            vector[slot] += sign * weight
        return _normalised(vector)


def fit_dimensions(vector: Sequence[float], dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """`vector` as exactly `dimensions` unit-length values: zero-padded when shorter (cosines are
    unchanged), folded by signed hashing of each position when longer."""
    if len(vector) <= dimensions:
        return _normalised([*vector, *([0.0] * (dimensions - len(vector)))])
    folded = [0.0] * dimensions
    for position, value in enumerate(vector):
        slot, sign = _slot(f"fold:{position}")
        folded[slot % dimensions] += sign * value
    return _normalised(folded)


class SentenceTransformerEmbedder:
    """A sentence-transformers model, its vectors fitted to 1536 values (see `fit_dimensions`)."""

    dimensions = EMBEDDING_DIMENSIONS

    def __init__(self, name: str, encoder: object) -> None:
        self._encoder = encoder
        native = encoder.get_sentence_embedding_dimension()
        fitting = "padded" if native <= EMBEDDING_DIMENSIONS else "folded"
        self.model = f"sentence-transformers/{name.removeprefix('sentence-transformers/')}:{native}-{fitting}-1536"

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = self._encoder.encode(list(texts), normalize_embeddings=True)
        return [fit_dimensions([float(value) for value in vector]) for vector in vectors]


def embedder_from_settings(name: str | None) -> Embedder:
    """The embedder a setting names: none (or the default's model name) -> `HashedNgramEmbedder`;
    any other name is a sentence-transformers model, which must be installed and available."""
    if name is None or not name.strip() or name.strip() == HashedNgramEmbedder.model:
        return HashedNgramEmbedder()
    name = name.strip()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise EmbedderUnavailable(
            f"embedding model {name!r} is configured but the sentence-transformers package is not installed; "
            f"install it or leave the setting empty to use {HashedNgramEmbedder.model!r}"
        ) from error
    try:
        encoder = SentenceTransformer(name)
    except Exception as error:  # the library raises OSError, ValueError or HTTP errors for a bad name
        raise EmbedderUnavailable(f"embedding model {name!r} cannot be loaded: {error}") from error
    return SentenceTransformerEmbedder(name, encoder)

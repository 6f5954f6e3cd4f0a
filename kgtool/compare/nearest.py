"""Similarity by matrix products: Jaccard and cosine of many columns at once, and nearest neighbours.

Takes, per compared column, its set of (holder, duty type) pairs and its Weisfeiler-Lehman
feature counts (from `kgtool.compare.profile.Profile`); gives the numbers
`kgtool.compare.similarities` computes pair by pair, bit for bit (the same float operations on
the same exact integers), as numpy arrays. |A ∩ B| for every pair is one product of the 0/1
incidence matrix with its transpose, and the feature dot products one sparse product.
`nearest` works through the columns a block at a time and keeps only each one's k closest, so
its memory grows with the columns, not with their pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse

#: Rows of the pairwise matrices held at once by `nearest`.
BLOCK = 512
#: A feature found in at least 1/DENSE_SHARE of the columns goes to the dense part of the product
#: (BLAS), the rarer ones to the sparse part: a sparse product costs the square of each feature's
#: document count, a dense one the same for every feature.
DENSE_SHARE = 50


def incidence(rows: Sequence[Mapping[Any, int]]) -> sparse.csr_array:
    """One row per column compared, one column per key met, the counts as int64."""
    keys: dict[Any, int] = {}
    index = keys.setdefault
    indices: list[int] = []
    data: list[int] = []
    indptr = [0]
    for row in rows:
        indices.extend([index(key, len(keys)) for key in row])
        data.extend(row.values())
        indptr.append(len(indices))
    return sparse.csr_array(
        (np.asarray(data, dtype=np.int64), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), max(len(keys), 1)),
    )


def _sets(sets: Sequence[frozenset]) -> tuple[np.ndarray, np.ndarray]:
    """The 0/1 incidence matrix (dense float32: integers below 2**24 are exact) and the set sizes."""
    x = incidence([dict.fromkeys(s, 1) for s in sets]).toarray().astype(np.float32)
    return x, np.asarray([len(s) for s in sets], dtype=np.float64)


def _jaccard_rows(x: np.ndarray, sizes: np.ndarray, start: int, stop: int) -> np.ndarray:
    inter = (x[start:stop] @ x.T).astype(np.float64)
    union = sizes[start:stop, None] + sizes[None, :] - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)  # two empty sets are not alike
    return out


class _Features:
    """Feature counts split for exact dot products: common features dense, rare ones sparse, and
    those of a single column left out (they add to its norm, never to a product with another)."""

    def __init__(self, histograms: Sequence[Mapping[str, int]]):
        h = incidence(histograms)
        squares = np.asarray(h.multiply(h).sum(axis=1), dtype=np.int64).ravel()
        self.norms = np.sqrt(squares.astype(np.float64))
        found_in = np.bincount(h.indices, minlength=h.shape[1])
        common = found_in >= max(2, len(histograms) // DENSE_SHARE)
        by_column = h.tocsc()
        # float32 products are exact while no dot product can reach 2**24 (|a.b| <= max |a|^2)
        kind = np.float32 if squares.size and squares.max() < 2**24 else np.float64
        self.dense = by_column[:, np.flatnonzero(common)].toarray().astype(kind)
        rare = by_column[:, np.flatnonzero(~common & (found_in >= 2))].tocsr()
        self.rare, self.rare_t = rare, rare.T.tocsr()

    def dots(self, start: int, stop: int) -> np.ndarray:
        """a . b for rows start:stop against every row, as exact integers in float64."""
        out = (self.dense[start:stop] @ self.dense.T).astype(np.float64)
        out += (self.rare[start:stop] @ self.rare_t).toarray()
        return out


def _cosine(dots: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """dot / (|a| |b|), clamped to [0, 1]; 0 where either has no feature."""
    norm = left * right
    out = np.zeros(np.shape(dots), dtype=np.float64)
    np.divide(np.asarray(dots, dtype=np.float64), norm, out=out, where=norm != 0)
    return np.clip(out, 0.0, 1.0, out=out)


def jaccard(sets: Sequence[frozenset]) -> np.ndarray:
    """|a ∩ b| / |a ∪ b| for every pair (two empty sets: 0.0), 1.0 on the diagonal."""
    x, sizes = _sets(sets)
    out = _jaccard_rows(x, sizes, 0, len(sets))
    np.fill_diagonal(out, 1.0)
    return out


def cosine(histograms: Sequence[Mapping[str, int]]) -> np.ndarray:
    """Cosine of every pair of count vectors (either empty: 0.0), 1.0 on the diagonal."""
    features = _Features(histograms)
    norms = features.norms
    out = _cosine(features.dots(0, len(histograms)), norms[:, None], norms[None, :])
    np.fill_diagonal(out, 1.0)
    return out


def nearest(
    sets: Sequence[frozenset], histograms: Sequence[Mapping[str, int]], k: int, tie: Sequence[int] | None = None
) -> list[list[tuple[int, float, float]]]:
    """Each column's ``k`` nearest others: highest Jaccard first, then highest cosine, then lowest ``tie``.

    Returns:
        Per column, ``(other column, jaccard, cosine)`` for its nearest, closest first.
    """
    n = len(sets)
    k = min(k, n - 1)
    if k <= 0:
        return [[] for _ in range(n)]
    x, sizes = _sets(sets)
    features = _Features(histograms)
    norms = features.norms
    order = np.asarray(tie if tie is not None else range(n), dtype=np.int64)
    out: list[list[tuple[int, float, float]]] = []
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        jac = _jaccard_rows(x, sizes, start, stop)
        wl = _cosine(features.dots(start, stop), norms[start:stop, None], norms[None, :])
        rows = np.arange(stop - start)
        jac[rows, rows + start] = -np.inf  # not its own neighbour
        kth = np.partition(jac, -k, axis=1)[:, -k]
        for r in rows.tolist():
            cand = np.flatnonzero(jac[r] >= kth[r])  # the k best, and all tied with the k-th
            j, w = jac[r, cand], wl[r, cand]
            best = np.lexsort((order[cand], -w, -j))[:k]
            out.append([(int(cand[i]), float(j[i]), float(w[i])) for i in best])
    return out

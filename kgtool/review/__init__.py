"""Analyst review: what the reader read from a document, provision by provision, and corrections made.

Above the question stages: a review runs the reader (`kgtool.build`), applies the corrections
(`kgtool.corrections`) and checks a new one with the integrity shapes (`kgtool.gaps`). Modules:
`kgtool.review.reading` (the review of a document, `kgtool.review.reading.review`),
`kgtool.review.render` (as text, JSON, HTML) and `kgtool.review.correct` (making a correction:
checked, then written atomically, `kgtool.review.correct.make_correction`). The CLI's `review`
and `correct` commands and the web's review pages (`kgtool serve --review`) use them.
"""

from __future__ import annotations

from kgtool.review.correct import Made, make_correction, withdraw
from kgtool.review.reading import Review, read, review
from kgtool.review.render import FORMATS, render_review

__all__ = ["FORMATS", "Made", "Review", "make_correction", "read", "render_review", "review", "withdraw"]

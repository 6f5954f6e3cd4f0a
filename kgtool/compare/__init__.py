"""Compare jurisdictions: who must do what, how often, under which principle, and how alike they are.

The package takes a `kgtool.store.Store` (embedded or remote) and selectors of documents or
places, and gives plain frozen dataclasses that the CLI, the web page and `kgtool.compare.charts`
share, or the text `kgtool compare` prints. Its stages run one way: `facts` (the only SPARQL:
`jurisdictions` and the `Facts` of the selected documents) → `matrices` (`role_duty_matrix`,
`principle_matrix`, `sanction_matrix`), `frequencies` (`frequency_table`), `graphs`
(`structure_graphs`, `structure`, `structure_graphml`), `similarities` (`similarity`) and
`pairdiff` (`diff`) → `sections` and `tables` (table, CSV, HTML, JSON from plain data) →
`output` (`compare_command_output`, the one place views meet formats and charts); `model`
holds the values they all share (`Term`, `Jurisdiction`). On the embedded store the tables are
made from each document's profile instead (`profile`, kept by `profiles` in data/profiles/, summed
by `profile_tables`; `nearest` for similarity by matrix products and nearest neighbours; `columns`
for documents or the places of a level), with the same answers.
"""

from __future__ import annotations

from kgtool.compare.facts import jurisdictions
from kgtool.compare.frequencies import FrequencyRow, FrequencyTable, Requirement, frequency_table
from kgtool.compare.graphs import StructureMeasures, structure, structure_graphml, structure_graphs
from kgtool.compare.matrices import ConceptMatrix, RoleDutyMatrix, principle_matrix, role_duty_matrix, sanction_matrix
from kgtool.compare.model import Jurisdiction, Term
from kgtool.compare.output import FORMATS, VIEWS, compare_command_output
from kgtool.compare.pairdiff import FrequencyDiff, PairDiff, RoleDiff, diff
from kgtool.compare.profile_tables import Neighbour, Neighbours, Profiled
from kgtool.compare.similarities import PairSimilarity, Similarity, similarity
from kgtool.compare.tables import to_json
from kgtool.read.extract import times_per_year

__all__ = [
    "FORMATS",
    "VIEWS",
    "ConceptMatrix",
    "FrequencyDiff",
    "FrequencyRow",
    "FrequencyTable",
    "Jurisdiction",
    "Neighbour",
    "Neighbours",
    "PairDiff",
    "PairSimilarity",
    "Profiled",
    "Requirement",
    "RoleDiff",
    "RoleDutyMatrix",
    "Similarity",
    "StructureMeasures",
    "Term",
    "compare_command_output",
    "diff",
    "frequency_table",
    "jurisdictions",
    "principle_matrix",
    "role_duty_matrix",
    "sanction_matrix",
    "similarity",
    "structure",
    "structure_graphml",
    "structure_graphs",
    "times_per_year",
    "to_json",
]

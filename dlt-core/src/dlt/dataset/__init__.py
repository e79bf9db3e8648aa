"""Reading loaded data back: `Dataset` (the tables of a dataset) and `Relation` (a lazy query
on it), as dlt 1.31's `dlt.Dataset` / `dlt.Relation`.

`query.py` holds the SELECT statement relations build, `relation.py` the relation,
`dataset.py` the dataset and `dlt.dataset()`.
"""

from dlt.dataset.dataset import Dataset, dataset
from dlt.dataset.relation import Relation

__all__ = ["Dataset", "Relation", "dataset"]

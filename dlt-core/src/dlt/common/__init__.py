"""Import paths that dlt 1.31 users write (`dlt.common.*`): thin re-exports only.

Every module under `dlt.common` re-exports names of our one implementation and says in its
docstring where the real code lives. Our own shared building blocks are in `dlt.utils`.
"""

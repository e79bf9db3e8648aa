"""`dlt.common.utils`: re-exports of `dlt.utils.digests` and `dlt.utils.nesting`."""

from dlt.utils.digests import digest128, digest256, uniq_id, uniq_id_base64
from dlt.utils.nesting import (
    chunks,
    custom_environ,
    flatten_list_or_items,
    map_nested_in_place,
    update_dict_nested,
    without_none,
)

__all__ = [
    "chunks", "custom_environ", "digest128", "digest256", "flatten_list_or_items", "map_nested_in_place",
    "uniq_id", "uniq_id_base64", "update_dict_nested", "without_none",
]

"""`dlt.common.utils`: re-exports of `dlt.utils.digests` and `dlt.utils.nesting`."""

from dlt.utils.digests import digest128, digest256, uniq_id, uniq_id_base64
from dlt.utils.nesting import chunks, update_dict_nested

__all__ = ["chunks", "digest128", "digest256", "uniq_id", "uniq_id_base64", "update_dict_nested"]

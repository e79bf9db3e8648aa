"""`dlt.common.json`: re-exports of `dlt.utils.json_codec`, as the module `json` (what
`from dlt.common import json` and `from dlt.common.json import json` give) and as its functions."""

from dlt.utils import json_codec as json
from dlt.utils.json_codec import (
    custom_encode,
    dump,
    dumpb,
    dumps,
    load,
    loadb,
    loads,
    set_custom_encoder,
    typed_dump,
    typed_dumpb,
    typed_dumps,
    typed_loadb,
    typed_loads,
)

__all__ = ["custom_encode", "dump", "dumpb", "dumps", "json", "load", "loadb", "loads", "set_custom_encoder",
           "typed_dump", "typed_dumpb", "typed_dumps", "typed_loadb", "typed_loads"]

"""Run the dlt 1.31 compatibility corpora and enforce the ratchet of scripts that must pass.

usage: python run_corpus.py RATCHET_FILE [CORPUS_ROOT]

The corpora are `compat/` and `compat-ecosystem/` under CORPUS_ROOT (default: the `shared`
folder beside the repository, or `$DLT_COMPAT_ROOT`). Each corpus's own `run_all.sh` runs its
scripts with this interpreter. The ratchet file lists `corpus/script` lines that must pass;
the run fails when one of them fails, and names scripts that pass but are not listed yet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

CORPORA = ("compat", "compat-ecosystem")
RESULT_LINE = re.compile(r"^(PASS|FAIL) (\S+?)(?:: (.*))?$")


def read_ratchet(path: Path) -> set[str]:
    """The `corpus/script` entries of the ratchet file (comments and blank lines skipped)."""
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.add(line)
    return entries


def run_corpus(folder: Path, scripts: list[str]) -> dict[str, str | None]:
    """Run `scripts` of one corpus; map each script name to None (passed) or its failure reason."""
    command = ["bash", str(folder / "run_all.sh"), sys.executable, *scripts]
    completed = subprocess.run(command, capture_output=True, text=True)
    results: dict[str, str | None] = {}
    for line in completed.stdout.splitlines():
        print(f"  {folder.name}: {line}", flush=True)
        match = RESULT_LINE.match(line)
        if match:
            results[match.group(2)] = None if match.group(1) == "PASS" else (match.group(3) or "failed")
    return results


def main() -> int:
    """Run every script of the corpora that exist; fail when a ratcheted script fails."""
    ratchet_path = Path(sys.argv[1])
    default_root = Path(__file__).resolve().parents[3] / "shared"
    root = Path(sys.argv[2] if len(sys.argv) > 2 else os.environ.get("DLT_COMPAT_ROOT", default_root))
    required = read_ratchet(ratchet_path)
    outcome: dict[str, str | None] = {}
    for corpus in CORPORA:
        folder = root / corpus
        if not (folder / "run_all.sh").is_file():
            missing = sorted(e for e in required if e.startswith(corpus + "/"))
            if missing:
                print(f"The corpus {folder} is missing, but the ratchet lists {len(missing)} of its "
                      "scripts. Set DLT_COMPAT_ROOT to the folder holding compat/.")
                return 1
            continue
        scripts = sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))
        for name, reason in run_corpus(folder, scripts).items():
            outcome[f"{corpus}/{name}"] = reason
    passed = sorted(k for k, v in outcome.items() if v is None)
    regressions = sorted(e for e in required if outcome.get(e, "did not run") is not None)
    unlisted = sorted(set(passed) - required)
    print(f"\n{len(passed)} of {len(outcome)} scripts passed; the ratchet requires {len(required)}.")
    if unlisted:
        print("Passing but not in the ratchet yet (add them to " f"{ratchet_path}):")
        for name in unlisted:
            print(f"  {name}")
    if regressions:
        print("Ratcheted scripts that failed:")
        for name in regressions:
            print(f"  {name}: {outcome.get(name, 'did not run')}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Each notebook's wall time in its stored run, from its cells' execution timestamps.

nbclient (``make notebooks``) stamps every code cell with when it started and finished
(``metadata.execution``). A notebook's time is from its first cell's start to its last cell's
end, kernel start-up excluded; the budgets are issue 16's (3 min each, 09 5 min, 20 min in all).

    .venv/bin/python benchmarks/notebook_times.py [notebooks/*.ipynb]
"""

import datetime
import glob
import json
import sys
from pathlib import Path

BUDGET_S = {"09": 300}
DEFAULT_BUDGET_S = 180
TOTAL_BUDGET_S = 1200


def _stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def wall_seconds(path):
    """Seconds from the first cell's start to the last cell's end; None without timestamps."""
    starts, ends = [], []
    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        execution = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in execution and "shell.execute_reply" in execution:
            starts.append(_stamp(execution["iopub.execute_input"]))
            ends.append(_stamp(execution["shell.execute_reply"]))
    if not starts:
        return None
    return (max(ends) - min(starts)).total_seconds()


def main(argv=None):
    paths = (argv if argv is not None else sys.argv[1:]) or sorted(glob.glob("notebooks/[0-9]*.ipynb"))
    total = 0.0
    print(f"{'notebook':<46} {'wall':>8} {'budget':>7}  run on")
    for path in paths:
        seconds = wall_seconds(path)
        name = Path(path).name
        budget = BUDGET_S.get(name[:2], DEFAULT_BUDGET_S)
        if seconds is None:
            print(f"{name:<46} {'-':>8} {budget:>6}s  (no timestamps)")
            continue
        total += seconds
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        day = next(
            c["metadata"]["execution"]["iopub.execute_input"][:10]
            for c in cells
            if "execute_input" in str(c.get("metadata", {}).get("execution", {}))
        )
        flag = "" if seconds <= budget else "  OVER"
        print(f"{name:<46} {seconds:7.0f}s {budget:>6}s  {day}{flag}")
    print(f"{'all':<46} {total:7.0f}s {TOTAL_BUDGET_S:>6}s{'' if total <= TOTAL_BUDGET_S else '  OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

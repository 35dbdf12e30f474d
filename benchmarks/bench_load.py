"""Benchmark: loading Kaggle's train.csv + test.csv, cold and through the cache.

    .venv/bin/python benchmarks/bench_load.py [PATH] [--repeat N]

PATH defaults to $CNN_LECTURES_DATA (or ../shared/digit-recognizer). "Cold" means an empty
cache folder (the files themselves are in the OS page cache after the first read, as they
are for a student re-running a notebook); "cached" is a second call. Beside them, the
lecture's plain ``pd.read_csv`` of the same files for comparison. Prints medians.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from contextlib import redirect_stdout
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("CNN_LECTURES_DATA") or str(
        Path(__file__).resolve().parents[2] / "shared" / "digit-recognizer"
    )
    parser.add_argument("path", nargs="?", default=default)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import pandas as pd

    from cnn_lectures.data import load_digit_recognizer
    from cnn_lectures.data.archive import locate, member_readers

    cold, cached, lecture = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["CNN_LECTURES_CACHE"] = cache
            with redirect_stdout(io.StringIO()):
                start = time.perf_counter()
                data = load_digit_recognizer(args.path, source="kaggle")
                cold.append(time.perf_counter() - start)
                start = time.perf_counter()
                load_digit_recognizer(args.path, source="kaggle")
                cached.append(time.perf_counter() - start)
        readers = member_readers(*locate(args.path))
        start = time.perf_counter()
        for _, read in readers:  # the lecture: pd.read_csv, then .values / 255.0 (float64)
            frame = pd.read_csv(io.BytesIO(read()))
            _ = frame.values / 255.0
        lecture.append(time.perf_counter() - start)

    kind = "zip (read in memory)" if zipfile.is_zipfile(locate(args.path)[1][0]) else "CSV files"
    print(
        f"data: {args.path} [{kind}]: {len(data.x_train):,} + {len(data.x_test):,} rows; "
        f"{os.cpu_count()} CPUs; median of {args.repeat}"
    )
    print(f"  cold load (empty cache)         {statistics.median(cold):6.3f} s   (target <= 1.0 s)")
    print(f"  cached load                     {statistics.median(cached):6.3f} s   (target <= 0.1 s)")
    print(f"  lecture: pd.read_csv + /255.0   {statistics.median(lecture):6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

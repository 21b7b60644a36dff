#!/usr/bin/env python3
"""Fixture data for the PARWOP STAND-IN (a test fixture, not PARWOP).

Writes a small seismic-like dataset as JSON Lines files (PARWOP reads Parquet; pyarrow is not
available here, so the stand-in reads JSON Lines with the same column names). Deterministic:
the same --seed, --rows and --files always give the same bytes.

    python gen_data.py --out DIR [--seed 1] [--rows 20000] [--files 4]
"""
import argparse
import json
import os
import random


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="data dir to create (one dataset)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--files", type=int, default=4)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    per_file = -(-args.rows // args.files)
    written = 0
    for f in range(args.files):
        path = os.path.join(args.out, f"part-{f:05d}.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for _ in range(min(per_file, args.rows - written)):
                row = {
                    "SOURCE_POINT_NUMBER": rng.randrange(1, 200),
                    "SENSOR_NUMBER": rng.randrange(1, 500),
                    "CROSSLINE": rng.randrange(1000, 1100),
                    "INLINE": rng.randrange(2000, 2050),
                    "DISTANCE": round(rng.uniform(0.0, 5000.0), 3),
                }
                out.write(json.dumps(row, separators=(",", ":")) + "\n")
                written += 1
    print(f"gen_data: {written} rows in {args.files} files under {args.out} (seed {args.seed})")


if __name__ == "__main__":
    main()

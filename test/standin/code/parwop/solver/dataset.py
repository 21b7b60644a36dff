"""Datasets of the PARWOP STAND-IN (test fixture, not PARWOP).

PARWOP reads Parquet; pyarrow is not installable here, so the stand-in reads the JSON Lines
(*.jsonl) files that test/standin/gen_data.py writes, keeping PARWOP's class name and arguments.
"""
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from parwop import settings


class ParquetDataset:
    def __init__(self, path: str = "/data", node_id=None):
        self.path = path
        self.node_id = node_id

    def to_dict(self) -> dict:
        return {"path": self.path, "node_id": self.node_id}

    def files(self) -> list:
        if not os.path.isdir(self.path):
            raise FileNotFoundError(f"dataset dir {self.path} does not exist")
        # No data files is an empty dataset, not an error: PARWOP runs it and counts 0 records.
        names = sorted(n for n in os.listdir(self.path) if n.endswith(".jsonl"))
        return [os.path.join(self.path, n) for n in names]

    def count(self) -> int:
        """Records held, without loading them: what PARWOP's plan step sums from block statistics."""
        total = 0
        for path in self.files():
            with open(path, encoding="utf-8") as f:
                total += sum(1 for line in f if line.strip())
        return total

    def load(self) -> list:
        files = self.files()
        _pace(self.path)
        if not files:
            return []
        # As in PARWOP: with MAX_CPU set in the environment this is min(str, int) -> TypeError.
        threads = min(settings.MAX_CPU, len(files))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(_read_jsonl, files))
        return [row for part in parts for row in part]


def _read_jsonl(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _pace(path: str) -> None:
    """STAND-IN ONLY (PARWOP has nothing like it): a dataset dir holding `.standin-pace` (a number
    of seconds) loads that much slower, so a test can act while a query is in flight. Real
    datasets are large enough to give that time by themselves."""
    marker = os.path.join(path, ".standin-pace")
    if os.path.isfile(marker):
        with open(marker, encoding="utf-8") as f:
            time.sleep(float(f.read().strip()))

"""The stand-in's small engine (test fixture, not PARWOP): PARTITION BY + ORDER BY in memory."""
from collections import defaultdict
from operator import itemgetter


def check_columns(rows: list, columns: list) -> None:
    """A query naming a column the data lacks fails, as in PARWOP; tests use it to make a run fail."""
    if not rows:
        return
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise KeyError(f"unknown column(s) {missing}; the dataset has {sorted(rows[0])}")


def partition_and_sort(rows: list, partition_by: list, order_by: list, memory_limit: int):
    """Yields batches (lists of row dicts) of at most memory_limit records: partitions in key
    order, each sorted by order_by."""
    if memory_limit < 1:
        raise ValueError(f"memory_limit must be a positive number of records, got {memory_limit}")
    check_columns(rows, list(partition_by) + list(order_by))
    groups = defaultdict(list)
    key_of = itemgetter(*partition_by) if partition_by else (lambda _row: ())
    for row in rows:
        groups[key_of(row)].append(row)
    sort_key = itemgetter(*order_by) if order_by else None
    batch = []
    for key in sorted(groups):
        part = groups[key]
        if sort_key:
            part.sort(key=sort_key)
        for row in part:
            batch.append(row)
            if len(batch) >= memory_limit:
                yield batch
                batch = []
    if batch:
        yield batch

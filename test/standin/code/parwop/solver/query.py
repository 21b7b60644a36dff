"""QueryClient of the PARWOP STAND-IN (test fixture, not PARWOP), with PARWOP's arguments.

Differences from PARWOP, on purpose and small: batches are lists of row dicts, not pandas
DataFrames (pandas is not available here); with read_only in distributed mode nothing is
shipped back, so run() yields nothing and `stats` still counts what the workers processed.
"""
import json
import time
import uuid

import pika

from parwop.http import call
from parwop.solver.engine import partition_and_sort


class QueryClient:
    def __init__(self, datasets, partition_by, order_by, memory_limit, is_distributed=False,
                 coordinator_address=None, worker_kwargs=None):
        self.datasets = list(datasets)
        self.partition_by = list(partition_by)
        self.order_by = list(order_by)
        self.memory_limit = int(memory_limit)
        self.is_distributed = bool(is_distributed)
        self.coordinator_address = (coordinator_address or "").rstrip("/")
        self.worker_kwargs = dict(worker_kwargs or {})
        self.query_id = uuid.uuid4().hex[:12]
        self.stats = {"rows": 0, "batches": 0, "workers": []}
        if not self.datasets:
            raise ValueError("QueryClient needs at least one dataset")
        if self.is_distributed:
            if not self.coordinator_address:
                raise ValueError("distributed mode needs coordinator_address")
            if any(d.node_id is None for d in self.datasets):
                raise ValueError("distributed mode needs node_id on every dataset")

    def run(self):
        return self._run_distributed() if self.is_distributed else self._run_local()

    def _run_local(self):
        # Where and when PARWOP prints it in local mode (parwop/solver/query.py, build_plans): in
        # the client's own process, once the plan is built from the datasets' statistics, before
        # any data is read.
        print(f"Total records: {sum(dataset.count() for dataset in self.datasets)}", flush=True)
        for dataset in self.datasets:
            for batch in partition_and_sort(dataset.load(), self.partition_by, self.order_by, self.memory_limit):
                self.stats["rows"] += len(batch)
                self.stats["batches"] += 1
                yield batch

    def _run_distributed(self):
        status = call("GET", f"{self.coordinator_address}/coordinator/heartbeat/status/")
        broker = status["rabbitmq"]
        conn = pika.BlockingConnection(pika.ConnectionParameters(host=broker["host"], port=int(broker["port"])))
        try:
            channel = conn.channel()
            queue = f"parwop-standin.{self.query_id}"
            channel.queue_declare(queue=queue, exclusive=True)
            body = {
                "datasets": [d.to_dict() for d in self.datasets],
                "partition_by": self.partition_by,
                "order_by": self.order_by,
                "memory_limit": self.memory_limit,
                "worker_kwargs": self.worker_kwargs,
                "reply_queue": queue,
            }
            call("POST", f"{self.coordinator_address}/coordinator/query/{self.query_id}/", dict(body, query_id=self.query_id))
            self._wait_finished(conn)
            # Workers publish before they report Finished: every result is queued by now.
            deadline = time.time() + 60
            received = 0
            while received < len(self.datasets):
                method, _props, payload = channel.basic_get(queue=queue, auto_ack=True)
                if method is None:
                    if time.time() > deadline:
                        raise RuntimeError(f"query {self.query_id}: {received} of {len(self.datasets)} results arrived")
                    conn.sleep(0.05)
                    continue
                received += 1
                message = json.loads(payload)
                self.stats["rows"] += message["rows"]
                self.stats["batches"] += message["batches"]
                self.stats["workers"].append(message["node_id"])
                for batch in message["data"] or []:
                    yield batch
        finally:
            if conn.is_open:
                conn.close()

    def _wait_finished(self, conn) -> None:
        """Polls the query's state; a failed query raises as PARWOP's client does."""
        url = f"{self.coordinator_address}/coordinator/query/{self.query_id}/"
        while True:
            state = call("GET", url)["state"]
            if state in ("Finished", "Completed"):
                return
            if state in ("Cancelled", "Timeout", "Error"):
                raise ValueError(f"Query state has been changed to state: {state.lower()}")
            conn.sleep(0.05)

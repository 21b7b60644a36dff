"""Every role's own table of nodes, in the PARWOP STAND-IN (test fixture, not PARWOP).

As in PARWOP (parwop/server/discovery.py): each role keeps its own table; a worker's starts with
itself and is refreshed ONLY from the coordinator's reply to the worker's own heartbeat (every
HEARTBEAT_INTERVAL), merged in (update, never replaced). A worker that registered before the last
one did does not know that one until its next beat, and a node missing from a table fails with
`WorkerNotFound: Node worker-N not found`.
"""
import threading
import time

from parwop import settings


class WorkerNotFound(Exception):
    pass


class Discovery:
    def __init__(self):
        self._lock = threading.Lock()
        self.nodes: dict = {}
        if settings.IS_WORKER:
            self.nodes[settings.NODE_ID] = {
                "node_id": settings.NODE_ID,
                "address": settings.WORKER_ADDRESS,
                "external_address": settings.WORKER_EXTERNAL_ADDRESS,
                # Whole seconds, as PARWOP's NodeStatus.last_heartbeat (an int).
                "last_heartbeat": int(time.time()),
            }

    def update(self, nodes: dict) -> None:
        with self._lock:
            self.nodes.update(nodes)

    def snapshot(self) -> dict:
        with self._lock:
            return {k: dict(v) for k, v in self.nodes.items()}

    def validate_node(self, node_id: str) -> dict:
        with self._lock:
            node = self.nodes.get(node_id)
        if node is None:
            raise WorkerNotFound(f"Node {node_id} not found")
        return node


discovery = Discovery()

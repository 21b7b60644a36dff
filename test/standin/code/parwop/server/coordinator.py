"""Coordinator role of the PARWOP STAND-IN (test fixture, not PARWOP)."""
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Body, HTTPException

from parwop import settings
from parwop.http import HttpError, call

log = logging.getLogger("parwop.coordinator")
router = APIRouter(prefix="/coordinator")
_lock = threading.Lock()
_nodes: dict = {}
_queries: dict = {}


def _broker() -> dict:
    return {"host": settings.RABBITMQ_HOST, "port": settings.RABBITMQ_PORT}


@router.post("/heartbeat/")
def heartbeat(body: dict = Body(...)):
    for key in ("node_id", "address", "external_address"):
        if not body.get(key):
            raise HTTPException(422, f"heartbeat needs {key}")
    with _lock:
        if body["node_id"] not in _nodes:
            log.info("first heartbeat from %s at %s", body["node_id"], body["address"])
        _nodes[body["node_id"]] = {
            "node_id": body["node_id"],
            "address": body["address"],
            "external_address": body["external_address"],
            "last_heartbeat": time.time(),
        }
    # Workers learn the broker from this reply, as in PARWOP.
    return {"rabbitmq": _broker()}


@router.get("/heartbeat/status/")
def status():
    now = time.time()
    # Reproduces PARWOP's unit slip on purpose (seconds compared with a millisecond figure), so
    # is_active stays true long after a node died: health checks must judge last_heartbeat.
    limit = settings.HEARTBEATS_SKIP_TO_DIE * settings.HEARTBEAT_INTERVAL * 1000
    with _lock:
        nodes = {k: dict(v, is_active=(now - v["last_heartbeat"]) < limit) for k, v in _nodes.items()}
    return {"nodes": nodes, "rabbitmq": _broker()}


@router.get("/query/")
def list_queries():
    with _lock:
        return list(_queries.values())


@router.get("/query/{query_id}/")
def get_query(query_id: str):
    with _lock:
        if query_id not in _queries:
            raise HTTPException(404, f"no query {query_id}")
        return _queries[query_id]


@router.post("/query/")
def run_query(body: dict = Body(...)):
    """Distributed run: each dataset goes to the worker named by its node_id, all in parallel;
    workers publish their results to body["reply_queue"] on RabbitMQ and answer with stats."""
    query_id = body["query_id"]
    record = {
        "query_id": query_id,
        "status": "running",
        "partition_by": body["partition_by"],
        "order_by": body["order_by"],
        "datasets": body["datasets"],
        "started": time.time(),
        "finished": None,
        "error": None,
        "results": [],
    }
    with _lock:
        _queries[query_id] = record
        nodes = dict(_nodes)
    try:
        unknown = [d["node_id"] for d in body["datasets"] if d.get("node_id") not in nodes]
        if unknown:
            raise RuntimeError(f"no heartbeat from node(s) {unknown}; known: {sorted(nodes)}")

        def one(dataset: dict) -> dict:
            node = nodes[dataset["node_id"]]
            task = dict(body, dataset=dataset)
            try:
                return call("POST", f"{node['address']}/worker/query/", task, timeout=600)
            except (HttpError, OSError) as e:
                raise RuntimeError(f"worker {dataset['node_id']}: {e}") from None

        with ThreadPoolExecutor(max_workers=max(1, len(body["datasets"]))) as pool:
            record["results"] = list(pool.map(one, body["datasets"]))
        # Where PARWOP prints it in distributed mode: the coordinator's server output (its
        # container log). PARWOP prints it once the plan is built; the stand-in, which has no
        # plan step, once the workers have loaded their parts.
        print(f"Total records: {sum(r['rows'] for r in record['results'])}", flush=True)
        record["status"] = "done"
    except Exception as e:  # the query record says why, and so does the HTTP answer
        record["status"] = "failed"
        record["error"] = str(e)
        log.warning("query %s failed: %s", query_id, e)
        raise HTTPException(500, f"query {query_id} failed: {e}") from None
    finally:
        record["finished"] = time.time()
    return record

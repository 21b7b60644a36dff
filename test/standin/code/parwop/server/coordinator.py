"""Coordinator role of the PARWOP STAND-IN (test fixture, not PARWOP)."""
import datetime
import logging
import threading
import time

from fastapi import APIRouter, Body, HTTPException

from parwop import settings
from parwop.http import call
from parwop.server.discovery import discovery

log = logging.getLogger("parwop.coordinator")
router = APIRouter(prefix="/coordinator")
_lock = threading.Lock()
_queries: dict = {}
SUCCEEDED = ("Finished", "Completed")
TERMINAL = SUCCEEDED + ("Cancelled", "Timeout", "Error")


def _broker() -> dict:
    return {"host": settings.RABBITMQ_HOST, "port": settings.RABBITMQ_PORT}


@router.post("/heartbeat/")
def heartbeat(body: dict = Body(...)):
    for key in ("node_id", "address", "external_address"):
        if not body.get(key):
            raise HTTPException(422, f"heartbeat needs {key}")
    if body["node_id"] not in discovery.snapshot():
        log.info("first heartbeat from %s at %s", body["node_id"], body["address"])
    node = {k: body[k] for k in ("node_id", "address", "external_address")}
    # Whole seconds, as PARWOP's NodeStatus.last_heartbeat (an int).
    node["last_heartbeat"] = int(time.time())
    discovery.update({body["node_id"]: node})
    # As in PARWOP (parwop/server/worker/heartbeat/heartbeat.py reads it): the reply is the
    # coordinator's whole table and the broker; it is the only way a worker learns its peers.
    return status()


@router.get("/heartbeat/status/")
def status():
    now = time.time()
    # Reproduces PARWOP's unit slip on purpose (seconds compared with a millisecond figure), so
    # is_active stays true long after a node died: health checks must judge last_heartbeat.
    limit = settings.HEARTBEATS_SKIP_TO_DIE * settings.HEARTBEAT_INTERVAL * 1000
    nodes = {k: dict(v, is_active=(now - v["last_heartbeat"]) < limit) for k, v in discovery.snapshot().items()}
    return {"nodes": nodes, "rabbitmq": _broker()}


@router.get("/query/")
def list_queries():
    # PARWOP answers a dict by query id (parwop/server/coordinator/query/api.py).
    with _lock:
        return {k: _public(v) for k, v in _queries.items()}


@router.get("/query/{query_id}/")
def get_query(query_id: str):
    with _lock:
        if query_id not in _queries:
            raise HTTPException(404, f"Query {query_id} not found")
        return _public(_queries[query_id])


def _public(query: dict) -> dict:
    """The contract's fields: {query_id, state, workers, params, detail, start_ts, finish_ts, duration}."""
    out = {k: v for k, v in query.items() if not k.startswith("_")}
    out["workers"] = {k: dict(v) for k, v in query["workers"].items()}  # a copy: workers report meanwhile
    return out


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _finish(query: dict, state: str, detail=None) -> None:
    """Under _lock. A query ends once; what a worker still does after that is the worker's affair."""
    if query["state"] in TERMINAL:
        return
    query.update(state=state, detail=detail, finish_ts=_now(), duration=round(time.time() - query["_started"], 3))


@router.post("/query/{query_id}/")
def run_query(query_id: str, body: dict = Body(...)):
    """Like PARWOP's: the query is recorded, then runs in the background; clients poll its state."""
    with _lock:
        if query_id in _queries:
            raise HTTPException(422, f"Query {query_id} already exists.")
        query = {"query_id": query_id, "state": "Preparing coordinator", "workers": {}, "params": body,
                 "detail": None, "start_ts": _now(), "finish_ts": None, "duration": None, "_started": time.time()}
        _queries[query_id] = query
        answer = _public(query)
    threading.Thread(target=_run, args=(query, body), name=f"query-{query_id}", daemon=True).start()
    return answer


def _run(query: dict, body: dict) -> None:
    try:
        with _lock:
            query["state"] = "Plan building"
        # As in PARWOP (parwop/solver/query.py, build_plans): the plan sums the blocks' sizes from
        # each worker's statistics and prints the total BEFORE any worker reads data, so a query
        # that fails later has printed it too. Printed in the coordinator's server output.
        nodes = [discovery.validate_node(d["node_id"]) for d in body["datasets"]]
        total = sum(call("POST", f"{n['address']}/worker/statistic/", {"dataset": d})["records"]
                    for n, d in zip(nodes, body["datasets"]))
        print(f"Total records: {total}", flush=True)
        participants = [d["node_id"] for d in body["datasets"]]
        with _lock:
            query["state"] = "Preparing workers"
            query["workers"] = {p: {"node_id": p, "state": "Preparing workers", "detail": None} for p in participants}
        for node, dataset in zip(nodes, body["datasets"]):
            call("POST", f"{node['address']}/worker/query/", dict(body, dataset=dataset, participants=participants))
        with _lock:
            if query["state"] not in TERMINAL:
                query["state"] = "Running"
    except Exception as e:  # the query record says why
        log.warning("query %s failed: %s", query["query_id"], e)
        with _lock:
            _finish(query, "Error", f"{type(e).__name__}: {e}")


@router.put("/query/{query_id}/worker_status")
def update_worker_status(query_id: str, body: dict = Body(...)):
    with _lock:
        query = _queries.get(query_id)
        if query is None or body["node_id"] not in query["workers"]:
            raise HTTPException(404, f"Node {body['node_id']} not assigned to query {query_id}")
        query["workers"][body["node_id"]].update(state=body["state"], detail=body.get("detail"))
        if body["state"] == "Error":
            _finish(query, "Error", f"{body['node_id']}: {body.get('detail')}")
        elif all(w["state"] == "Finished" for w in query["workers"].values()):
            _finish(query, "Finished")
    return {"ok": True}

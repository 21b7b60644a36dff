"""Worker role of the PARWOP STAND-IN (test fixture, not PARWOP): heartbeats, statistics, and its
part of a distributed query on its own dataset."""
import json
import logging
import os
import threading
import time

import pika
from fastapi import APIRouter, Body, HTTPException

from parwop import settings
from parwop.http import call
from parwop.server.discovery import discovery
from parwop.solver.dataset import ParquetDataset
from parwop.solver.engine import check_columns, partition_and_sort

log = logging.getLogger("parwop.worker")
router = APIRouter(prefix="/worker")
# The broker as the coordinator's last heartbeat reply named it (PARWOP's workers learn it so).
_broker = {"host": settings.RABBITMQ_HOST, "port": settings.RABBITMQ_PORT}
# query id -> the peers whose exchange message has arrived, and an event set on each arrival.
_exchange: dict = {}
_exchange_lock = threading.Lock()


def _heartbeat_loop() -> None:
    body = {
        "node_id": settings.NODE_ID,
        "address": settings.WORKER_ADDRESS,
        "external_address": settings.WORKER_EXTERNAL_ADDRESS,
    }
    url = f"{settings.COORDINATOR_ADDRESS}/coordinator/heartbeat/"
    ok = False
    while True:
        try:
            reply = call("POST", url, body, timeout=5)
            # As in PARWOP (parwop/server/worker/heartbeat/heartbeat.py): the ONLY place a worker
            # learns its peers, merged into its own table (parwop/server/discovery.py).
            discovery.update(reply.get("nodes") or {})
            _broker.update(reply.get("rabbitmq") or {})
            if not ok:
                log.info("heartbeat to %s ok", url)
            ok = True
        except Exception as e:
            log.warning("heartbeat to %s failed: %s", url, e)
            ok = False
        time.sleep(settings.HEARTBEAT_INTERVAL)


def start_heartbeats() -> None:
    if not settings.NODE_ID or not settings.WORKER_ADDRESS:
        raise RuntimeError("parwop stand-in worker: NODE_ID and WORKER_ADDRESS must be set")
    threading.Thread(target=_heartbeat_loop, name="heartbeat", daemon=True).start()


@router.post("/statistic/")
def statistic(body: dict = Body(...)):
    """What the coordinator's plan step sums (PARWOP answers Parquet block statistics; the stand-in
    counts its dataset's records without loading them)."""
    try:
        return {"records": ParquetDataset(path=body["dataset"]["path"]).count()}
    except FileNotFoundError as e:
        raise HTTPException(422, f"At least one dataset not found! {e}") from None


@router.post("/exchange/{query_id}/")
def exchange(query_id: str, body: dict = Body(...)):
    _arrivals(query_id)[0].add(body["from"])
    _arrivals(query_id)[1].set()
    return {"ok": True}


def _arrivals(query_id: str):
    with _exchange_lock:
        return _exchange.setdefault(query_id, (set(), threading.Event()))


@router.post("/query/")
def run_part(body: dict = Body(...)):
    # A NON-daemon thread, on purpose: the interpreter waits for it at exit, so a worker whose part
    # never ends does not stop on SIGTERM (uvicorn shuts down, python then waits) until SIGKILL.
    threading.Thread(target=_part, args=(body,), name=f"part-{body['query_id']}", daemon=False).start()
    return {"accepted": True}


def _report(query_id: str, state: str, detail=None) -> None:
    url = f"{settings.COORDINATOR_ADDRESS}/coordinator/query/{query_id}/worker_status"
    try:
        call("PUT", url, {"node_id": settings.NODE_ID, "state": state, "detail": detail})
    except Exception as e:
        log.warning("cannot report %s of query %s: %s", state, query_id, e)


def _part(body: dict) -> None:
    query_id, me = body["query_id"], settings.NODE_ID
    peers = [p for p in body["participants"] if p != me]
    try:
        _report(query_id, "Loading")
        # As in PARWOP (parwop/server/discovery.py, validate_node): peers are looked up in THIS
        # worker's own table; an unknown one fails the part with WorkerNotFound.
        addresses = {p: discovery.validate_node(p)["address"] for p in peers}
        rows = ParquetDataset(path=body["dataset"]["path"]).load()
        check_columns(rows, list(body["partition_by"]) + list(body["order_by"]))
        spill = _spill(query_id, rows)
        _report(query_id, "Running")
        for peer, address in addresses.items():
            call("POST", f"{address}/worker/exchange/{query_id}/", {"from": me})
    except Exception as e:
        log.warning("query %s failed: %r", query_id, e)
        _report(query_id, "Error", f"{type(e).__name__}: {e}")
        return
    # Not yet traced in PARWOP's source, modelled on what a real deployment showed: after a failed
    # distributed query a worker that took part (and did not fail) kept working on it, stayed
    # "Running" on the coordinator, left its spill file and held off SIGTERM. Here: the part waits,
    # without a bound, for the exchange message of every peer; a peer that failed never sends it.
    arrived, event = _arrivals(query_id)
    while not arrived.issuperset(peers):
        event.wait(1)
        event.clear()
    try:
        _publish(body, rows)
    except Exception as e:
        _report(query_id, "Error", f"{type(e).__name__}: {e}")
        return
    os.remove(spill)
    _report(query_id, "Finished")


def _spill(query_id: str, rows: list) -> str:
    """The part's rows, spilled to DUMPS_PATH while it waits for its peers (removed when it ends)."""
    os.makedirs(settings.DUMPS_PATH, exist_ok=True)
    path = os.path.join(settings.DUMPS_PATH, f"{query_id}-{settings.NODE_ID}.spill")
    with open(path, "w") as f:
        json.dump(rows, f)
    return path


def _publish(body: dict, rows: list) -> None:
    kwargs = body.get("worker_kwargs") or {}
    batches = list(partition_and_sort(rows, body["partition_by"], body["order_by"], int(body["memory_limit"])))
    message = {
        "node_id": settings.NODE_ID,
        "address": settings.WORKER_EXTERNAL_ADDRESS if kwargs.get("use_external_address_mq_messages") else settings.WORKER_ADDRESS,
        "rows": sum(len(b) for b in batches),
        "batches": len(batches),
        "data": None if kwargs.get("read_only") else batches,
    }
    # Results travel over RabbitMQ as guest/guest, like PARWOP's notifications: a broker that
    # refuses guest from this worker's address fails the run here.
    params = pika.ConnectionParameters(host=_broker["host"], port=int(_broker["port"]), connection_attempts=2)
    try:
        conn = pika.BlockingConnection(params)
        try:
            conn.channel().basic_publish(exchange="", routing_key=body["reply_queue"], body=json.dumps(message))
        finally:
            conn.close()
    except Exception as e:
        raise RuntimeError(f"cannot publish results to RabbitMQ at {_broker['host']}:{_broker['port']}: {e!r}") from None

"""Worker role of the PARWOP STAND-IN (test fixture, not PARWOP): heartbeats, and runs its part
of a distributed query on its own dataset."""
import json
import logging
import threading
import time

import pika
from fastapi import APIRouter, Body, HTTPException

from parwop import settings
from parwop.http import call
from parwop.solver.dataset import ParquetDataset
from parwop.solver.engine import partition_and_sort

log = logging.getLogger("parwop.worker")
router = APIRouter(prefix="/worker")
# The broker as the coordinator's last heartbeat reply named it (PARWOP's workers learn it so).
_broker = {"host": settings.RABBITMQ_HOST, "port": settings.RABBITMQ_PORT}


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


@router.post("/query/")
def run_part(body: dict = Body(...)):
    kwargs = body.get("worker_kwargs") or {}
    started = time.time()
    try:
        rows = ParquetDataset(path=body["dataset"]["path"]).load()
        batches = list(partition_and_sort(rows, body["partition_by"], body["order_by"], int(body["memory_limit"])))
    except Exception as e:
        log.warning("query %s failed: %r", body.get("query_id"), e)
        raise HTTPException(500, f"{type(e).__name__}: {e}") from None
    stats = {
        "node_id": settings.NODE_ID,
        "address": settings.WORKER_EXTERNAL_ADDRESS if kwargs.get("use_external_address_mq_messages") else settings.WORKER_ADDRESS,
        "rows": sum(len(b) for b in batches),
        "batches": len(batches),
        "seconds": round(time.time() - started, 4),
    }
    # Results travel over RabbitMQ as guest/guest, like PARWOP's notifications: a broker that
    # refuses guest from this worker's address fails the run here.
    message = dict(stats, data=None if kwargs.get("read_only") else batches)
    params = pika.ConnectionParameters(host=_broker["host"], port=int(_broker["port"]), connection_attempts=2)
    try:
        conn = pika.BlockingConnection(params)
        try:
            conn.channel().basic_publish(exchange="", routing_key=body["reply_queue"], body=json.dumps(message))
        finally:
            conn.close()
    except Exception as e:
        raise HTTPException(500, f"cannot publish results to RabbitMQ at {_broker['host']}:{_broker['port']}: {e!r}") from None
    return stats

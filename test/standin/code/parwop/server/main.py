"""PARWOP STAND-IN server (test fixture, not PARWOP): one app, role from the environment.

Started exactly like PARWOP:
    bash -c "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=PORT"
"""
import ctypes
import gc
import logging

from fastapi import FastAPI

from parwop import settings
from parwop.server import coordinator, worker

if settings.IS_COORDINATOR == settings.IS_WORKER:
    raise RuntimeError('parwop stand-in: set exactly one of IS_COORDINATOR="True" or IS_WORKER="True"')

logging.basicConfig(level=logging.INFO, format="%(asctime)s parwop-standin %(levelname)s %(message)s")
app = FastAPI(title="PARWOP stand-in (test fixture, not PARWOP)")
app.include_router(coordinator.router if settings.IS_COORDINATOR else worker.router)


@app.put("/trim_memory")
def trim_memory():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return {"status": "ok", "node_id": settings.NODE_ID}


if settings.IS_WORKER:
    app.on_event("startup")(worker.start_heartbeats)

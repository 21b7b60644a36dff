"""Environment of the PARWOP STAND-IN (test fixture, not PARWOP), read like PARWOP reads it."""
import os


def _flag(name: str) -> bool:
    # PARWOP's roles are the strings "True"; anything else is off.
    return os.environ.get(name, "") == "True"


IS_COORDINATOR = _flag("IS_COORDINATOR")
IS_WORKER = _flag("IS_WORKER")
NODE_ID = os.environ.get("NODE_ID", "")
COORDINATOR_ADDRESS = os.environ.get("COORDINATOR_ADDRESS", "http://localhost:8000").rstrip("/")
WORKER_ADDRESS = os.environ.get("WORKER_ADDRESS", "").rstrip("/")
WORKER_EXTERNAL_ADDRESS = os.environ.get("WORKER_EXTERNAL_ADDRESS", WORKER_ADDRESS).rstrip("/")
RABBITMQ_HOST = os.environ.get("RABBITMQ_HOST", "localhost")
RABBITMQ_PORT = int(os.environ.get("RABBITMQ_PORT", "5672"))
DUMPS_PATH = os.environ.get("DUMPS_PATH", "/tmp/parwop_dumps")

# Kept as PARWOP has it: read raw and never converted, so when set it is a string, and a worker
# that computes min(MAX_CPU, number_of_files) on a multi-file dataset fails (see solver/dataset.py).
# This lets the lab catch a deployment that sets MAX_CPU on workers.
MAX_CPU = os.environ.get("MAX_CPU", 8)

# Deliberate deviation: PARWOP breaks at start-up when these are set (it multiplies the raw
# string); the stand-in converts them so tests can shorten the heartbeat. Default 2 s, not 20 s.
HEARTBEAT_INTERVAL = int(os.environ.get("HEARTBEAT_INTERVAL", "2"))
HEARTBEATS_SKIP_TO_DIE = int(os.environ.get("HEARTBEATS_SKIP_TO_DIE", "10"))

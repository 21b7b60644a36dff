"""Experiment driver: one PARWOP query run, timed, reported as ONE JSON line on stdout.

Runs inside a PARWOP container (`docker exec -i -w /code CONTAINER python -u - ARGS`, this file on
stdin), so it uses PARWOP's real client API and only the standard library besides.

usage: driver.py --query NAME --partition-by A[,B] --order-by C[,D] --repetition N
                 --mode local|distributed --workers ID[,ID...] --memory-limit RECORDS
                 --coordinator URL --max-threads N [--read-only|--no-read-only]
                 [--data-path /data] [--warmup] [--timeout SECONDS]
                 [--cache-dropped-at EPOCH [--attempt-marker PATH]] [--lost-worker-seconds S] [--log PATH]
stdout: {"query","repetition","warmup","execution_id","workers","memory_limit_records","wall_seconds",
         "batches","rows","started_at","ended_at",
         distributed only: "query_id","query_state","coordinator_duration_seconds","worker_states",
         "records"}
  Only what this execution measured: tier, mode, nodes, run id and the other provenance come from
  the program (scripts/record-result.js refuses a line that would override them). `records` is
  PARWOP's own count ("Total records: N"), read from its output; in distributed mode PARWOP prints
  it in the coordinator's log, out of reach here, so it is null and scripts/run-query.sh fills it.
failure: exit 1, stderr `run QUERY rep N failed: <ExceptionType>: <message>`, nothing on stdout;
  a run that processed no records fails too: `run QUERY rep N failed: processed no records (...)`.
  Distributed: PARWOP prints "Total records" when it builds its plans, before any worker reads data,
  so a clean-looking client is not proof. A run counts only when the query this run created ends in
  Finished or Completed on the coordinator AND the client's iteration raised nothing; else
  `run QUERY rep N failed: query <id> ended in state <state>: <detail>`.
"""

import argparse
import datetime
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.request
import uuid

# Fed on stdin, the script has no directory of its own on sys.path; PARWOP lives at /code.
if "/code" not in sys.path:
    sys.path.insert(0, "/code")


def csv_list(text):
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise argparse.ArgumentTypeError("must name at least one column or worker")
    return items


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(prog="driver.py")
    p.add_argument("--query", required=True)
    p.add_argument("--partition-by", type=csv_list, required=True)
    p.add_argument("--order-by", type=csv_list, required=True)
    p.add_argument("--repetition", type=int, required=True)
    p.add_argument("--mode", choices=("local", "distributed"), required=True)
    p.add_argument("--workers", type=csv_list, required=True, help="worker ids (local: the one used)")
    p.add_argument("--memory-limit", type=positive_int, required=True, help="in RECORDS, not bytes")
    p.add_argument("--coordinator", help="coordinator URL; required in distributed mode")
    p.add_argument("--max-threads", type=positive_int, required=True)
    p.add_argument("--read-only", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--data-path", default="/data")
    p.add_argument("--warmup", action="store_true")
    # `timeout` around `docker exec` kills only the client: the process inside the container runs
    # on. This deadline is enforced in here, so a stuck query really ends.
    p.add_argument("--timeout", type=float, default=0, help="seconds; 0 = no deadline")
    # A run must follow a fresh page-cache drop. Pulumi retries a failed run on the next `up`
    # without re-running the drops before it (they succeeded), so the failed attempt would leave
    # the cache warm. The drop's time (this node's clock) against the last attempt's start,
    # kept in a file in this container, tells the two apart.
    p.add_argument("--cache-dropped-at", type=float, help="epoch seconds of this node's last cache drop")
    p.add_argument("--attempt-marker", default="/tmp/parwop-driver-last-attempt", help="where attempts are stamped")
    # A worker whose node is cut mid-query leaves PARWOP's query waiting for it until the run's own
    # bound (an hour): the coordinator's heartbeat view tells sooner.
    p.add_argument(
        "--lost-worker-seconds",
        type=float,
        default=0,
        help="distributed: fail when a worker's last heartbeat, or the coordinator's answer, is older than this; 0 = off",
    )
    # Everything PARWOP prints goes here, not to stderr: a command resource keeps its stderr in
    # Pulumi's state, and an hour of progress output per run would bloat it.
    p.add_argument("--log", default="/tmp/parwop-driver.log", help="PARWOP's own output, overwritten each run")
    args = p.parse_args(argv)
    if args.mode == "distributed" and not args.coordinator:
        p.error("--coordinator is required in distributed mode")
    return args


def utc_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DeadlineExceeded(Exception):
    pass


TOTAL_RECORDS = re.compile(r"Total records: (\d+)")


def total_records(path):
    """PARWOP's own count of what the query processed (the last "Total records: N" it printed), or None."""
    try:
        with open(path, errors="replace") as f:
            found = TOTAL_RECORDS.findall(f.read())
    except OSError:
        return None
    return int(found[-1]) if found else None


def no_records_reason(args, records):
    """Why a finished run cannot be recorded: an empty or missing dataset also ends quickly and cleanly."""
    if records == 0:
        return "processed no records (PARWOP printed Total records: 0: is the dataset empty?)"
    if records is None and args.mode == "local":
        return f"processed no records (no \"Total records\" line in PARWOP's output, {args.log})"
    return None


SUCCEEDED = ("Finished", "Completed")
TERMINAL = SUCCEEDED + ("Cancelled", "Timeout", "Error")
# After the client returns, how long the coordinator may take to write the query's final state.
SETTLE_SECONDS = 15


def coordinator_get(base, path):
    with urllib.request.urlopen(base.rstrip("/") + path, timeout=10) as resp:
        return json.loads(resp.read())


def query_ids(base):
    """The ids of the coordinator's queries. PARWOP answers a dict by id; a list of records is read too."""
    listed = coordinator_get(base, "/coordinator/query/")
    if isinstance(listed, dict):
        return set(listed)
    return {q["query_id"] if isinstance(q, dict) else str(q) for q in listed}


def one_line(text):
    return " ".join(str(text).split())


def query_failure(query, client_failure):
    """Why a distributed run does not count, or None when it does."""
    state = query.get("state")
    if state in SUCCEEDED and not client_failure:
        return None
    parts = [one_line(query["detail"])] if query.get("detail") else []
    for node_id, worker in sorted((query.get("workers") or {}).items()):
        if worker.get("state") not in SUCCEEDED or worker.get("detail"):
            detail = f": {one_line(worker['detail'])}" if worker.get("detail") else ""
            parts.append(f"{node_id} {worker.get('state')}{detail}")
    if client_failure:
        parts.append(f"client: {client_failure}")
    ended = "ended in" if state in TERMINAL else f"still in after {SETTLE_SECONDS}s:"
    return f"query {query.get('query_id')} {ended} state {state}: {'; '.join(parts) or 'no detail'}"


def distributed_outcome(args, before, client_failure):
    """(fields for the JSON line, None) or (None, failure) from the one query this run created.

    Found by listing the coordinator's queries before and after, not through the client's internals."""
    try:
        new = sorted(query_ids(args.coordinator) - before)
        if len(new) != 1:
            listed = f" ({', '.join(new)})" if new else ""
            why = f"expected exactly one new query on the coordinator {args.coordinator}, found {len(new)}{listed}"
            return None, why + (f"; client: {client_failure}" if client_failure else "")
        deadline = time.monotonic() + SETTLE_SECONDS
        query = coordinator_get(args.coordinator, f"/coordinator/query/{new[0]}/")
        while query.get("state") not in TERMINAL and time.monotonic() < deadline:
            time.sleep(0.5)
            query = coordinator_get(args.coordinator, f"/coordinator/query/{new[0]}/")
    except Exception as e:  # the run's outcome is unknown: it does not count
        why = f"cannot read the run's query from the coordinator {args.coordinator}: {type(e).__name__}: {e}"
        return None, why + (f"; client: {client_failure}" if client_failure else "")
    failure = query_failure(query, client_failure)
    if failure:
        return None, failure
    return {
        "query_id": query.get("query_id", new[0]),
        "query_state": query["state"],
        "coordinator_duration_seconds": query.get("duration"),
        "worker_states": {n: w.get("state") for n, w in sorted((query.get("workers") or {}).items())},
    }, None


def run_query(args):
    """Builds the client as PARWOP's own experiment script does; returns the measured fields."""
    from parwop.solver.dataset import ParquetDataset
    from parwop.solver.query import QueryClient

    worker_kwargs = {"read_only": args.read_only, "max_threads": args.max_threads}
    if args.mode == "distributed":
        datasets = [ParquetDataset(path=args.data_path, node_id=n) for n in args.workers]
        worker_kwargs["use_external_address_mq_messages"] = True
        coordinator = args.coordinator
    else:
        datasets = [ParquetDataset(path=args.data_path)]
        # QueryClient switches to distributed mode whenever it gets a coordinator address.
        coordinator = None
    client = QueryClient(
        datasets=datasets,
        partition_by=args.partition_by,
        order_by=args.order_by,
        memory_limit=args.memory_limit,
        is_distributed=args.mode == "distributed",
        coordinator_address=coordinator,
        worker_kwargs=worker_kwargs,
    )
    batches = rows = 0
    started_at = utc_now()
    start = time.perf_counter()
    for batch in client.run():
        batches += 1
        # With read_only PARWOP ships nothing back, so zero batches is the normal outcome.
        rows += len(batch) if batch is not None else 0
    wall = time.perf_counter() - start
    return {
        "wall_seconds": round(wall, 6),
        "batches": batches,
        "rows": rows,
        "started_at": started_at,
        "ended_at": utc_now(),
    }


class WorkerLost(Exception):
    pass


def watch_workers(args, lost):
    """Polls the coordinator's heartbeat view while the query runs; on a lost worker (or a silent
    coordinator) stores why in `lost` and interrupts the main thread with SIGUSR1."""
    interval = max(0.5, min(5.0, args.lost_worker_seconds / 4))
    answered = time.time()
    while True:
        time.sleep(interval)
        try:
            nodes = coordinator_get(args.coordinator, "/coordinator/heartbeat/status/")["nodes"]
            answered = time.time()
        except Exception as e:  # noqa: BLE001 - any failure to answer counts as silence
            if time.time() - answered > args.lost_worker_seconds:
                lost.append(f"the coordinator {args.coordinator} has not answered for {time.time() - answered:.0f}s ({type(e).__name__})")
                break
            continue
        now = time.time()
        stale = [
            f"{w} (last heartbeat {now - nodes[w]['last_heartbeat']:.0f}s ago)" if w in nodes else f"{w} (gone from the coordinator)"
            for w in args.workers
            if w not in nodes or now - float(nodes[w].get("last_heartbeat") or 0) > args.lost_worker_seconds
        ]
        if stale:
            lost.append(f"worker lost mid-query, no heartbeat for over {args.lost_worker_seconds:g}s: {', '.join(stale)}")
            break
    os.kill(os.getpid(), signal.SIGUSR1)


def check_cold_cache(args):
    """Refuses (returns the reason) when the last attempt started after the last cache drop; stamps this attempt."""
    if args.cache_dropped_at is None:
        return None
    try:
        with open(args.attempt_marker) as f:
            last_attempt = float(f.read().strip() or 0)
    except FileNotFoundError:
        last_attempt = 0.0
    if last_attempt >= args.cache_dropped_at:
        return (
            f"the page cache was last dropped at {args.cache_dropped_at:.3f}, before the last attempt at "
            f"{last_attempt:.3f}: the program retries with fresh drops only when results/<stack>/attempts.jsonl"
            " on the machine running Pulumi names the last attempt (was it removed?): bump parwop:experiment.runId"
        )
    with open(args.attempt_marker, "w") as f:
        f.write(f"{time.time():.6f}\n")
    return None


def log_tail(path, lines):
    """The last lines of PARWOP's log, for a failure report that says more than the exception."""
    try:
        with open(path, errors="replace") as f:
            tail = f.readlines()[-lines:]
    except OSError:
        return ""
    return "".join(line if line.endswith("\n") else line + "\n" for line in tail)


def main(argv):
    args = parse_args(argv)
    refused = check_cold_cache(args)
    if refused:
        print(f"run {args.query} rep {args.repetition} refused: {refused}", file=sys.stderr)
        return 1
    # Keep private handles on the real stdout and stderr, then point fds 1 and 2 at the log: PARWOP
    # prints progress from threads and pool processes, and the caller parses stdout as one line.
    result_out = os.fdopen(os.dup(1), "w")
    report = os.fdopen(os.dup(2), "w")
    log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)

    def on_deadline(signum, frame):
        raise DeadlineExceeded(f"no result after {args.timeout:g}s")

    def on_term(signum, frame):
        raise DeadlineExceeded(f"stopped by signal {signal.Signals(signum).name} (an outer timeout?)")

    # A `timeout` wrapped around python inside the container sends SIGTERM; turning it into an
    # exception keeps the one-line failure report instead of a silent death.
    signal.signal(signal.SIGTERM, on_term)
    lost = []

    def on_lost(signum, frame):
        raise WorkerLost(lost[0] if lost else "a worker was lost")

    signal.signal(signal.SIGUSR1, on_lost)
    if args.timeout > 0:
        signal.signal(signal.SIGALRM, on_deadline)
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
    execution_id = str(uuid.uuid4())
    before = None
    try:
        if args.mode == "distributed":
            before = query_ids(args.coordinator)
            if args.lost_worker_seconds > 0:
                threading.Thread(target=watch_workers, args=(args, lost), daemon=True).start()
        measured = run_query(args)
        signal.setitimer(signal.ITIMER_REAL, 0)
        # the query is over: a watcher's late alarm must not fail what already ended
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        failure = None
    except BaseException as e:  # noqa: B036 - KeyboardInterrupt/SystemExit must be reported too
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        failure = f"{type(e).__name__}: " + str(e).replace("\n", " ").strip()
    sys.stdout.flush()
    sys.stderr.flush()
    outcome = {}
    if before is not None:
        outcome, failure = distributed_outcome(args, before, failure)
    records = total_records(args.log)
    failure = failure or no_records_reason(args, records)
    if failure:
        report.write(log_tail(args.log, 20))
        report.write(f"run {args.query} rep {args.repetition} failed: {failure}\n")
        report.flush()
        return 1
    record = {
        "query": args.query,
        "repetition": args.repetition,
        "warmup": args.warmup,
        # New for every execution: a re-run of the same run is another record, a re-sent line is not.
        "execution_id": execution_id,
        "workers": args.workers,
        "memory_limit_records": args.memory_limit,
        **measured,
        **(outcome or {}),
        # Last, so scripts/run-query.sh can fill a null in distributed mode by its exact suffix.
        "records": records,
    }
    result_out.write(json.dumps(record, separators=(", ", ": ")) + "\n")
    result_out.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stderr.flush()
    # PARWOP leaves non-daemon threads and pools behind (and a failed local run may still be
    # working); a normal exit would wait for them, so leave at once with the result already out.
    os._exit(code)

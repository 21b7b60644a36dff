"""Health gate: wait until the PARWOP coordinator lists every expected worker with a fresh heartbeat.

Runs inside the coordinator container (fed on stdin: `python -u - ARGS`), so it needs only the
standard library, and the coordinator's clock is the one that stamped `last_heartbeat`.

Freshness is judged here from `last_heartbeat` (epoch seconds): PARWOP's own `is_active` compares
seconds with a millisecond threshold and in practice never turns false, so it proves nothing.

Fresh is not enough: each PARWOP worker keeps its own table of peers and refreshes it only from
the coordinator's reply to its own heartbeat (parwop/server/discovery.py). A worker that
registered before the last one did fails a distributed query with `WorkerNotFound` until its
next beat. So the gate also waits until every worker has a beat stamped strictly after the
latest first-observed beat of any worker (the last one to appear): up to one interval more.

usage: health_gate.py --url URL --workers ID[,ID...] --timeout SECONDS --max-age SECONDS
                      [--interval SECONDS]
stdout on success: one JSON line {"ok": true, "workers": {id: age_seconds}, "waited_seconds": x,
  "peers": {"last_appeared": id, "appeared_at": stamp, "heartbeats": {id: first stamp after it}}}
stderr on failure: one line naming every missing/stale worker (or the silent coordinator), exit 1.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

STATUS_PATH = "/coordinator/heartbeat/status/"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="health_gate.py")
    p.add_argument("--url", required=True, help="coordinator base URL, e.g. http://127.0.0.1:8000")
    p.add_argument("--workers", required=True, help="comma-separated worker node ids")
    p.add_argument("--timeout", type=float, required=True, help="give up after this many seconds")
    p.add_argument("--max-age", type=float, required=True, help="a heartbeat older than this is stale")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    # After a redeploy the coordinator may still hold a replaced worker's last beat, younger than
    # --max-age: only a beat stamped after the gate started proves the new container is alive.
    p.add_argument("--since-start", action="store_true", help="count only heartbeats stamped after the gate started")
    args = p.parse_args(argv)
    args.workers = [w.strip() for w in args.workers.split(",") if w.strip()]
    if not args.workers:
        p.error("--workers must name at least one worker")
    if args.timeout < 0 or args.max_age <= 0 or args.interval <= 0:
        p.error("--timeout must be >= 0, --max-age and --interval > 0")
    return args


def fetch_status(url, request_timeout):
    """Returns (nodes dict, None) or (None, reason the coordinator gave no usable answer)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + STATUS_PATH, timeout=request_timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        return None, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return None, f"{type(reason).__name__}: {reason}"
    try:
        nodes = json.loads(body)["nodes"]
        if not isinstance(nodes, dict):
            raise TypeError("nodes is not an object")
    except (ValueError, KeyError, TypeError) as e:
        return None, f"unexpected answer ({type(e).__name__}: {e})"
    return nodes, None


def stamp(node):
    """A node's last_heartbeat when it is a number, else None."""
    last = node.get("last_heartbeat") if isinstance(node, dict) else None
    return last if isinstance(last, (int, float)) and not isinstance(last, bool) else None


def secs(stamp_):
    """An epoch stamp as text: whole seconds as PARWOP sends them, else to the millisecond."""
    return str(int(stamp_)) if stamp_ == int(stamp_) else f"{stamp_:.3f}"


def judge(nodes, workers, max_age, now, not_before=None):
    """Returns ({id: age} of fresh workers, [problem text per missing/stale worker])."""
    fresh, problems = {}, []
    for wid in workers:
        node = nodes.get(wid)
        if not isinstance(node, dict):
            problems.append(f"{wid} (never seen)")
            continue
        last = stamp(node)
        if last is None:
            problems.append(f"{wid} (no last_heartbeat)")
            continue
        # last_heartbeat is whole seconds, so a just-stamped heartbeat can look up to 1 s old.
        age = max(0.0, now - last)
        # Whole-second stamps: a beat in the gate's first second may read as the second before.
        if not_before is not None and last < int(not_before):
            problems.append(f"{wid} (no heartbeat since the gate started; last {int(age)}s ago)")
        elif age <= max_age:
            fresh[wid] = round(age, 1)
        else:
            problems.append(f"{wid} (last heartbeat {int(age)}s ago)")
    return fresh, problems


class Peers:
    """Tracks, over the gate's polls, whether every worker has heartbeated after the last one appeared.

    A worker's first observed `last_heartbeat` is a bound on when it registered (it registered at
    or before that beat); the latest of those bounds every registration. Stamps are whole seconds
    in PARWOP, so a beat in the same second may predate the registration: only a strictly later
    stamp counts. Every worker must beat after it, the last one too (its table is then as fresh).
    """

    def __init__(self):
        self.first = {}  # id -> first observed last_heartbeat
        self.after = {}  # id -> first observed beat strictly after the latest first beat

    def observe(self, nodes, workers):
        """Records first stamps on every poll, also while judge() still finds a worker missing."""
        for wid in workers:
            last = stamp(nodes.get(wid))
            if last is not None:
                self.first.setdefault(wid, last)

    def problems(self, nodes, workers):
        """Call once judge() finds every worker fresh (so each has a stamp)."""
        self.last_id = max(workers, key=lambda w: self.first[w])
        self.appeared_at = self.first[self.last_id]
        out = []
        for wid in workers:
            last = stamp(nodes[wid])
            if last > self.appeared_at:
                self.after.setdefault(wid, last)
            elif wid not in self.after and wid == self.last_id:
                out.append(f"{wid} (no heartbeat since it appeared at {secs(self.appeared_at)})")
            elif wid not in self.after:
                out.append(
                    f"{wid} (no heartbeat after {self.last_id} appeared at {secs(self.appeared_at)},"
                    f" so it may not know {self.last_id} yet; last {secs(last)})"
                )
        return out

    def report(self):
        return {"last_appeared": self.last_id, "appeared_at": self.appeared_at, "heartbeats": self.after}


def main(argv):
    args = parse_args(argv)
    start = time.monotonic()
    started_at = time.time() if args.since_start else None
    deadline = start + args.timeout
    peers = Peers()
    while True:
        remaining = deadline - time.monotonic()
        nodes, error = fetch_status(args.url, max(1.0, min(args.interval, remaining)))
        if nodes is not None:
            fresh, problems = judge(nodes, args.workers, args.max_age, time.time(), started_at)
            peers.observe(nodes, args.workers)
            # Peers are judged only once every worker is fresh, so each problem is named once.
            label = "missing or stale" if problems else "not heartbeated since the last worker appeared"
            problems = problems or peers.problems(nodes, args.workers)
            if not problems:
                waited = round(time.monotonic() - start, 1)
                print(json.dumps({"ok": True, "workers": fresh, "waited_seconds": waited, "peers": peers.report()}))
                return 0
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(args.interval, remaining))

    waited = f"{time.monotonic() - start:.0f}s"
    if nodes is None:
        print(
            f"health gate: coordinator {args.url} not answering after {waited} ({error});"
            f" workers not confirmed: {', '.join(args.workers)}",
            file=sys.stderr,
        )
    else:
        print(f"health gate: workers {label} after {waited}: {', '.join(problems)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

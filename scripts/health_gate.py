"""Health gate: wait until the PARWOP coordinator lists every expected worker with a fresh heartbeat.

Runs inside the coordinator container (fed on stdin: `python -u - ARGS`), so it needs only the
standard library, and the coordinator's clock is the one that stamped `last_heartbeat`.

Freshness is judged here from `last_heartbeat` (epoch seconds): PARWOP's own `is_active` compares
seconds with a millisecond threshold and in practice never turns false, so it proves nothing.

usage: health_gate.py --url URL --workers ID[,ID...] --timeout SECONDS --max-age SECONDS
                      [--interval SECONDS]
stdout on success: one JSON line {"ok": true, "workers": {id: age_seconds}, "waited_seconds": x}
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


def judge(nodes, workers, max_age, now, not_before=None):
    """Returns ({id: age} of fresh workers, [problem text per missing/stale worker])."""
    fresh, problems = {}, []
    for wid in workers:
        node = nodes.get(wid)
        if not isinstance(node, dict):
            problems.append(f"{wid} (never seen)")
            continue
        last = node.get("last_heartbeat")
        if not isinstance(last, (int, float)) or isinstance(last, bool):
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


def main(argv):
    args = parse_args(argv)
    start = time.monotonic()
    started_at = time.time() if args.since_start else None
    deadline = start + args.timeout
    while True:
        remaining = deadline - time.monotonic()
        nodes, error = fetch_status(args.url, max(1.0, min(args.interval, remaining)))
        if nodes is not None:
            fresh, problems = judge(nodes, args.workers, args.max_age, time.time(), started_at)
            if not problems:
                waited = round(time.monotonic() - start, 1)
                print(json.dumps({"ok": True, "workers": fresh, "waited_seconds": waited}))
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
        print(f"health gate: workers missing or stale after {waited}: {', '.join(problems)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

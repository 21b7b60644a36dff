import { digestText } from "./digest";
import * as fs from "fs";
import * as path from "path";

/** The files command resources feed on stdin (scripts/ at the project root). */
export const scriptsDir = path.resolve(__dirname, "..", "scripts");

export function readScript(name: string): string {
    return fs.readFileSync(path.join(scriptsDir, name), "utf8");
}

/** Quotes one word for a POSIX shell; plain words stay readable in previews. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(words: (string | number)[]): string {
    return words.map((w) => shellQuote(String(w))).join(" ");
}

/** Seconds `timeout -k` gives a bash script on a node after SIGTERM. */
const BASH_KILL_AFTER = 10;
/** How long after its own bound a pythonInContainer command is surely over (60 + 30 s of -k). */
const PYTHON_IN_CONTAINER_SLACK = 90;
/** run-query.sh's bound on reading the coordinator's log for PARWOP's record count. */
const RUN_LOG_SECONDS = 30;

/** A command that runs a bash script given on stdin; `timeout` because Pulumi's own timeouts do not stop a remote command. */
export function bashOnNode(timeoutSeconds: number, args: (string | number)[]): string {
    return shellLine(bashOnNodeWords(timeoutSeconds, args));
}

function bashOnNodeWords(timeoutSeconds: number, args: (string | number)[]): (string | number)[] {
    return ["timeout", "-k", BASH_KILL_AFTER, timeoutSeconds, "bash", "-s", "--", ...args];
}
/**
 * A command that runs a Python program given on stdin inside a PARWOP container, in /code like PARWOP itself.
 * The inner `timeout` stops the program in the container; the outer one a `docker exec` that hangs.
 */
export function pythonInContainer(container: string, timeoutSeconds: number, args: (string | number)[]): string {
    return shellLine(pythonInContainerWords(container, timeoutSeconds, args));
}

function pythonInContainerWords(container: string, timeoutSeconds: number, args: (string | number)[]): (string | number)[] {
    // -k: a program that ignores SIGTERM (stuck in C code) is killed 30 s later, so it cannot
    // outlive its run and overlap the next one.
    return [
        "timeout",
        "-k",
        30,
        timeoutSeconds + 60,
        "docker",
        "exec",
        "-i",
        "-w",
        "/code",
        container,
        "timeout",
        "-k",
        30,
        timeoutSeconds,
        "python",
        "-u",
        "-",
        ...args,
    ];
}

/** What a command resource runs on a node: the command line, and the script it reads on stdin. */
export interface NodeStep {
    create: string;
    stdin: string;
    /** Seconds after which the node side has surely ended, failed or not: a resource timeout must exceed it. */
    timeoutSeconds: number;
}

/** Bounds of one cache drop, in seconds (scripts/drop-caches.sh). */
export interface DropBounds {
    /** `sync` (default 120, the whole drop's old bound): a sync that outlives it is left behind and the drop fails naming the node. */
    syncSeconds: number;
    /** The write to /proc/sys/vm/drop_caches (default 30). */
    writeSeconds: number;
}

/** The cache drop on one node (scripts/drop-caches.sh). */
export function dropCachesStep(nodeName: string, bounds: DropBounds = { syncSeconds: 120, writeSeconds: 30 }): NodeStep {
    const outer = bounds.syncSeconds + bounds.writeSeconds + 30;
    return {
        create: bashOnNode(outer, ["--node", nodeName, "--sync-timeout", bounds.syncSeconds, "--write-timeout", bounds.writeSeconds]),
        stdin: readScript("drop-caches.sh"),
        timeoutSeconds: outer + BASH_KILL_AFTER,
    };
}

/** The wait until the broker accepts AMQP on its node (scripts/broker-ready.sh), bounded by `timeoutSeconds`. */
export function brokerReadyStep(container: string, timeoutSeconds: number): NodeStep {
    return {
        create: bashOnNode(timeoutSeconds + 30, ["--container", container, "--port", 5672, "--timeout", timeoutSeconds]),
        stdin: readScript("broker-ready.sh"),
        timeoutSeconds: timeoutSeconds + 30 + BASH_KILL_AFTER,
    };
}

/**
 * One experiment run: the driver (scripts/driver.py) inside the runner's container, bounded by
 * `timeoutSeconds`, wrapped on the node by scripts/run-query.sh, which reports a driver that died
 * without a word and, given `recordsFromLog` (the coordinator's container, for distributed mode),
 * reads PARWOP's record count from that container's log. `driverArgs` must hold --query and --repetition.
 * With `spool`, the driver runs detached and its result stays on the node (run-query.sh), so the
 * next attempt of the same run can hand on a result whose `pulumi` was lost.
 */
export function runStep(
    container: string,
    timeoutSeconds: number,
    driverArgs: (string | number)[],
    recordsFromLog?: string,
    spool?: RunSpool,
): NodeStep {
    const valueOf = (flag: string) => {
        const i = driverArgs.indexOf(flag);
        if (i < 0 || i + 1 >= driverArgs.length) throw new Error(`runStep: driver arguments lack ${flag}`);
        return driverArgs[i + 1];
    };
    const wrapperArgs = [
        "--query",
        valueOf("--query"),
        "--repetition",
        valueOf("--repetition"),
        ...(recordsFromLog === undefined ? [] : ["--records-from-log", recordsFromLog]),
        "--log-timeout",
        RUN_LOG_SECONDS,
        ...(spool === undefined ? [] : ["--spool-dir", spool.dir, "--run-identity", spool.identity, "--attempt", spool.attempt]),
    ];
    // The wrapper's own steps after the driver's bound: docker exec's slack, then docker logs (with its -k 5), then margin.
    const outer = timeoutSeconds + PYTHON_IN_CONTAINER_SLACK + RUN_LOG_SECONDS + 5 + 25;
    return {
        create: shellLine(bashOnNodeWords(outer, [...wrapperArgs, "--", ...pythonInContainerWords(container, timeoutSeconds, driverArgs)])),
        stdin: runScripts(),
        timeoutSeconds: outer + BASH_KILL_AFTER,
    };
}

/** Where on the runner's node a run keeps what it printed (scripts/run-query.sh --spool-dir). */
export interface RunSpool {
    /** The stack's spool dir on the node. */
    dir: string;
    /** The run as one series and cluster know it: equal for its attempts, another after a redeploy (hex). */
    identity: string;
    attempt: number;
}

/** The spool dir of a stack's runs on every node: under /var/tmp, which outlives a reboot, unlike /tmp. */
export function runSpoolDir(stack: string): string {
    return `/var/tmp/parwop-runs/${stack}`;
}

/** Where a node keeps the ids of the leftover queries its worker was restarted for, per stack (settle-worker.sh). */
export function settledDir(stack: string): string {
    return `/var/tmp/parwop-settled/${stack}`;
}

/** settle-worker.sh's bound on each question to the coordinator, and on the worker's stop when it restarts it. */
const SETTLE_ASK_SECONDS = 60;
const SETTLE_STOP_SECONDS = 10;

/**
 * Before a distributed run, on one node: restarts the worker if the coordinator shows it still in
 * an unfinished query, or working in a failed one (scripts/settle-worker.sh), so no earlier
 * query's work runs under the measurement.
 */
export function settleStep(
    node: { name: string; workerId: string; containerName: string },
    coordinatorUrl: string,
    stack: string,
): NodeStep {
    // the script's own bounds: two questions (+5 s kill each), the restart (+60 s, +5 s), margin
    const outer = 2 * (SETTLE_ASK_SECONDS + 5) + SETTLE_STOP_SECONDS + 65 + 15;
    return {
        create: bashOnNode(outer, [
            ...["--node", node.name, "--container", node.containerName, "--node-id", node.workerId, "--coordinator", coordinatorUrl],
            ...["--stop-timeout", SETTLE_STOP_SECONDS, "--timeout", SETTLE_ASK_SECONDS, "--settled-dir", settledDir(stack)],
        ]),
        stdin: readScript("settle-worker.sh"),
        timeoutSeconds: outer + BASH_KILL_AFTER,
    };
}

/** A run's stdin: the wrapper reads only itself from it; the driver that follows is docker exec's stdin. */
function runScripts(): string {
    return readScript("run-query.sh") + readScript("driver.py");
}

/** Digests of the scripts the runs execute on the nodes: an edit to either re-runs the runs. */
export function scriptDigests(): { driver: string; dropCaches: string } {
    return { driver: digestText(runScripts()), dropCaches: digestText(readScript("drop-caches.sh")) };
}

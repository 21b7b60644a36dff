import { NodeSettings } from "../config/settings";
import { Tier } from "../config/tiers";
import { brokerContainerPorts } from "./ports";
import {
    bashNodeSeconds,
    brokerReadyScriptSeconds,
    brokerReadySeconds,
    budget,
    Budget,
    DropBounds,
    dropBounds,
    dropSeconds,
    healthGateSeconds,
    preflightSeconds,
    pythonNodeSeconds,
    runLogSeconds,
    runWrapperSeconds,
    settleAskSeconds,
    settleSeconds,
    settleStopSeconds,
    StepKind,
} from "./timeouts";
import { httpUrl, loopbackHost } from "./urls";

// What runs on a node, as data: the program, its flags, the script it reads on stdin and its
// bounds. lib/scripts.ts renders a step into a command line once; nothing parses one back.

export type Word = string | number;
/** Flags in order: each with its value, or `true` for a flag that stands alone. */
export type Flags = Record<string, Word | true>;

export function flagWords(flags: Flags): Word[] {
    return Object.entries(flags).flatMap(([flag, value]) => (value === true ? [flag] : [flag, value]));
}

/** The files under scripts/ that node steps read on stdin. */
export type ScriptName =
    "preflight.sh" | "drop-caches.sh" | "broker-ready.sh" | "settle-worker.sh" | "health_gate.py" | "run-query.sh" | "driver.py";

/** `timeout -k 10 SECONDS bash -s -- FLAGS`, the script on stdin: Pulumi's own timeouts do not stop a remote command. */
export interface BashStep {
    program: "bash";
    script: ScriptName;
    seconds: number;
    flags: Flags;
    budget: Budget;
}

/**
 * A Python program on stdin inside a PARWOP container, in /code like PARWOP itself. The inner
 * `timeout` (SECONDS) stops the program in the container; the outer one a `docker exec` that hangs.
 */
export interface PythonStep {
    program: "python";
    container: string;
    script: ScriptName;
    seconds: number;
    flags: Flags;
    budget: Budget;
}

/**
 * One experiment run: scripts/run-query.sh on the node (`wrapper`, bounded by `seconds`) around
 * the driver (scripts/driver.py) in the runner's container. With `spool`, the driver runs detached
 * and its result stays on the node, so the next attempt of the same run can hand on a result
 * whose `pulumi` was lost; the run's identity (an output) is added when it is rendered, and so is
 * the runner's drop time (`--cache-dropped-at`).
 */
export interface RunStep {
    program: "run";
    seconds: number;
    wrapper: Flags;
    spool?: { dir: string; attempt: number };
    driver: PythonStep;
    budget: Budget;
}

export type NodeStep = BashStep | PythonStep | RunStep;

/** A run's stdin: the wrapper reads only itself from it; the driver that follows is docker exec's stdin. */
export const runScripts: ScriptName[] = ["run-query.sh", "driver.py"];

function bash(kind: StepKind, script: ScriptName, seconds: number, flags: Flags): BashStep {
    return { program: "bash", script, seconds, flags, budget: budget(kind, bashNodeSeconds(seconds)) };
}

/**
 * A node's MemTotal is a little under its installed RAM (the kernel keeps some): a 32 GiB
 * machine must pass the 32 GiB tier, so the check allows 5% less.
 */
export function minimumMemoryBytes(tier: Tier): number {
    return Math.floor(tier.ramGiB * 2 ** 30 * 0.95);
}

/** Before anything is deployed on a node (scripts/preflight.sh). */
export function preflightStep(node: NodeSettings, tier: Tier, stack: string, containers: string[]): BashStep {
    return bash("preflight", "preflight.sh", preflightSeconds, {
        "--node": node.name,
        "--data-dir": node.dataDir,
        "--code-dir": node.codeDir,
        "--min-memory-bytes": minimumMemoryBytes(tier),
        "--min-cpus": tier.cpus,
        // Remote engines are reached through `docker system dial-stdio` on the node.
        ...(node.local ? {} : { "--docker-host-check": true as const }),
        "--stack": stack,
        "--containers": containers.join(","),
        // Reported, never cleaned: PARWOP's spill files are not this program's to delete.
        "--dumps-dir": node.dumpsDir,
    });
}

/** The cache drop on one node (scripts/drop-caches.sh). */
export function dropStep(nodeName: string, bounds: DropBounds = dropBounds): BashStep {
    return bash("drop", "drop-caches.sh", dropSeconds(bounds), {
        "--node": nodeName,
        "--sync-timeout": bounds.syncSeconds,
        "--write-timeout": bounds.writeSeconds,
    });
}

/** The wait until the broker accepts AMQP in its container (scripts/broker-ready.sh). */
export function brokerReadyStep(container: string, waitSeconds = brokerReadySeconds): BashStep {
    return bash("brokerReady", "broker-ready.sh", brokerReadyScriptSeconds(waitSeconds), {
        "--container": container,
        "--port": brokerContainerPorts.amqp,
        "--timeout": waitSeconds,
    });
}

/** Where a node keeps the ids of the leftover queries its worker was restarted for, per stack (settle-worker.sh). */
export function settledDir(stack: string): string {
    return `/var/tmp/parwop-settled/${stack}`;
}

/** The spool dir of a stack's runs on every node: under /var/tmp, which outlives a reboot, unlike /tmp. */
export function runSpoolDir(stack: string): string {
    return `/var/tmp/parwop-runs/${stack}`;
}

/**
 * Before a distributed run, on one node: restarts the worker if the coordinator shows it still in
 * an unfinished query, or working in a failed one (scripts/settle-worker.sh), so no earlier
 * query's work runs under the measurement.
 */
export function settleStep(
    node: { name: string; workerId: string; containerName: string },
    coordinatorUrl: string,
    stack: string,
): BashStep {
    return bash("settle", "settle-worker.sh", settleSeconds(), {
        "--node": node.name,
        "--container": node.containerName,
        "--node-id": node.workerId,
        "--coordinator": coordinatorUrl,
        "--stop-timeout": settleStopSeconds,
        "--timeout": settleAskSeconds,
        "--settled-dir": settledDir(stack),
    });
}

/** Waits until the coordinator lists every worker with a fresh heartbeat (scripts/health_gate.py, in its container). */
export function healthGateStep(
    coordinator: { containerName: string; port: number },
    workerIds: string[],
    gate: { timeoutSeconds: number; maxHeartbeatAgeSeconds: number },
): PythonStep {
    const seconds = healthGateSeconds(gate.timeoutSeconds);
    return {
        program: "python",
        container: coordinator.containerName,
        script: "health_gate.py",
        seconds,
        flags: {
            "--url": httpUrl(loopbackHost, coordinator.port),
            "--workers": workerIds.join(","),
            "--timeout": gate.timeoutSeconds,
            "--max-age": gate.maxHeartbeatAgeSeconds,
            "--interval": 2,
            // A replaced worker's last beat may still look fresh: require one after the deploy.
            "--since-start": true,
        },
        budget: budget("healthGate", pythonNodeSeconds(seconds)),
    };
}

/** What a run step is made of: the driver's flags, its bound, and what the wrapper needs to know. */
export interface RunSpec {
    /** The runner's container. */
    container: string;
    /** The driver's bound, in seconds. */
    seconds: number;
    query: string;
    repetition: number;
    driver: Flags;
    /** Distributed mode: the coordinator's container, whose log holds PARWOP's record count. */
    recordsFromLog?: string;
    spool?: { dir: string; attempt: number };
}

export function runStep(spec: RunSpec): RunStep {
    const seconds = runWrapperSeconds(spec.seconds);
    return {
        program: "run",
        seconds,
        wrapper: {
            "--query": spec.query,
            "--repetition": spec.repetition,
            ...(spec.recordsFromLog === undefined ? {} : { "--records-from-log": spec.recordsFromLog }),
            "--log-timeout": runLogSeconds,
        },
        spool: spec.spool,
        driver: {
            program: "python",
            container: spec.container,
            script: "driver.py",
            seconds: spec.seconds,
            flags: spec.driver,
            budget: budget("run", pythonNodeSeconds(spec.seconds)),
        },
        budget: budget("run", bashNodeSeconds(seconds)),
    };
}

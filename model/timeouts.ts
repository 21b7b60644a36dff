// Every bound in one place: what each node step allows itself on the node, and the resource
// timeout Pulumi gets for it, derived from the node-side bound by `budget` alone.

/** Seconds `timeout -k` gives a bash script on a node after SIGTERM. */
export const bashKillAfterSeconds = 10;
/** `timeout -k` for a Python program in a container, inside and around `docker exec`. */
export const pythonKillAfterSeconds = 30;
/** How much longer the `docker exec` around a Python program may take than the program itself. */
export const dockerExecSlackSeconds = 60;
/** run-query.sh's bound on reading the coordinator's log for PARWOP's record count. */
export const runLogSeconds = 30;
/** settle-worker.sh's bound on each question to the coordinator, and on the worker's stop when it restarts it. */
export const settleAskSeconds = 60;
export const settleStopSeconds = 10;
/** Preflight's own bound on the node. */
export const preflightSeconds = 120;
/** Seconds RabbitMQ gets to accept AMQP after its container started. */
export const brokerReadySeconds = 180;
/** How long the health gate's wait may take past its own timeout inside the container. */
export const healthGateGraceSeconds = 30;
/** Bounds of one cache drop, in seconds (scripts/drop-caches.sh). */
export interface DropBounds {
    /** `sync` (default 120, the whole drop's old bound): a sync that outlives it is left behind and the drop fails naming the node. */
    syncSeconds: number;
    /** The write to /proc/sys/vm/drop_caches (default 30). */
    writeSeconds: number;
}
export const dropBounds: DropBounds = { syncSeconds: 120, writeSeconds: 30 };

// The node-side bounds, composed from the scripts' own: each is what the step's outer `timeout` gets.

/** A drop's outer bound: its sync, its write, and 30 s for the rest of the script. */
export function dropSeconds(bounds: DropBounds): number {
    return bounds.syncSeconds + bounds.writeSeconds + 30;
}

/** The broker's readiness script: its wait, and 30 s for docker exec around each probe. */
export function brokerReadyScriptSeconds(waitSeconds: number): number {
    return waitSeconds + 30;
}

/** settle-worker.sh: two questions (+5 s kill each), the restart (its stop, +60 s, +5 s), margin. */
export function settleSeconds(): number {
    return 2 * (settleAskSeconds + 5) + settleStopSeconds + 65 + 15;
}

/** A Python program's bound inside its container for the health gate: the gate's own timeout and its grace. */
export function healthGateSeconds(gateTimeoutSeconds: number): number {
    return gateTimeoutSeconds + healthGateGraceSeconds;
}

/** When a Python step of this bound has surely ended: docker exec's slack, then its kill. */
export function pythonNodeSeconds(seconds: number): number {
    return seconds + dockerExecSlackSeconds + pythonKillAfterSeconds;
}

/** run-query.sh's bound around a driver of this bound: docker exec's slack, then docker logs (with its -k 5), then margin. */
export function runWrapperSeconds(driverSeconds: number): number {
    return pythonNodeSeconds(driverSeconds) + runLogSeconds + 5 + 25;
}

/** When a bash step of this outer bound has surely ended. */
export function bashNodeSeconds(seconds: number): number {
    return seconds + bashKillAfterSeconds;
}

/** Seconds on top of a node step's own bound for the ssh session around it (connect, close). */
export const sshSlackSeconds = 30;

/**
 * What each step's resource timeout adds to its node-side bound: the ssh session's slack, so the
 * node's own message ("… not ready after 180 s") arrives before Pulumi kills the command.
 * Preflight keeps the 180 s in all it always had.
 */
export const marginSeconds = {
    preflight: 50,
    brokerReady: sshSlackSeconds,
    healthGate: sshSlackSeconds,
    settle: sshSlackSeconds,
    drop: sshSlackSeconds,
    run: sshSlackSeconds,
} as const;

export type StepKind = keyof typeof marginSeconds;

/** A node step's two bounds, in seconds. */
export interface Budget {
    /** After this the node side has surely ended, failed or not. */
    nodeSeconds: number;
    /** Pulumi's bound of the command resource: past it the provider kills it. */
    timeoutSeconds: number;
}

/** The one derivation of a resource timeout from a node-side bound. */
export function budget(kind: StepKind, nodeSeconds: number): Budget {
    return { nodeSeconds, timeoutSeconds: nodeSeconds + marginSeconds[kind] };
}

/** Pulumi's customTimeouts for a bound in seconds, or as Pulumi writes a duration ("2m"). */
export function customTimeouts(bound: number | string): { create: string; update: string; delete: string } {
    const t = typeof bound === "number" ? `${bound}s` : bound;
    return { create: t, update: t, delete: t };
}

/** Local commands on the machine running Pulumi (the attempt note, the record): a killed writer's lock is taken over at once. */
export const localCommandTimeout = customTimeouts("2m");
/** The provider gives a build 20 minutes; PARWOP's pip install on a busy node can take longer. */
export const imageTimeouts = { create: "60m", update: "60m" };

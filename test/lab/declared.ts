/**
 * Turns a docker.Container's declared inputs (as the Pulumi program registers them, read back
 * through mocks) into `docker create` arguments, so lab containers run with the settings the
 * program declares instead of re-typed ones. Field names and units follow @pulumi/docker's
 * Container inputs.
 */

import { shellQuote } from "../../lib/scripts";

// docker runs --health-cmd through `sh -c`: quoted like the command resources' lines.
export { shellQuote };

export interface DeclaredVolume {
    hostPath: string;
    containerPath: string;
    readOnly?: boolean;
}

export interface DeclaredPort {
    internal: number;
    external?: number;
    /** Host address to publish on; docker's default (all addresses) when absent. */
    ip?: string;
    protocol?: string;
}

export interface DeclaredUpload {
    /** Absolute path inside the container. */
    file: string;
    content: string;
}

export interface DeclaredHealthcheck {
    /** ["CMD", prog, args...] or ["CMD-SHELL", "shell line"], as in the provider. */
    tests: string[];
    /** Durations as the provider takes them: "10s", "1m". */
    interval?: string;
    timeout?: string;
    startPeriod?: string;
    retries?: number;
}

export interface DeclaredContainer {
    name: string;
    image: string;
    networkMode?: string;
    /** MiB, as the docker provider takes it (not bytes). */
    memory?: number;
    /** MiB; -1 means unlimited swap. */
    memorySwap?: number;
    /** CPUs as the provider reads it back, e.g. "2.0". */
    cpus?: string;
    envs?: string[];
    volumes?: DeclaredVolume[];
    command?: string[];
    securityOpts?: string[];
    user?: string;
    ports?: DeclaredPort[];
    uploads?: DeclaredUpload[];
    restart?: string;
    healthcheck?: DeclaredHealthcheck;
    labels?: { label: string; value: string }[];
}

function healthcheckArgs(h: DeclaredHealthcheck): string[] {
    const [kind, ...rest] = h.tests;
    let cmd: string;
    if (kind === "CMD-SHELL") {
        cmd = rest.join(" ");
    } else if (kind === "CMD") {
        cmd = rest.map(shellQuote).join(" ");
    } else if (kind === "NONE") {
        return ["--no-healthcheck"];
    } else {
        throw new Error(`healthcheck.tests must start with CMD, CMD-SHELL or NONE, got ${JSON.stringify(h.tests)}`);
    }
    const args = [`--health-cmd=${cmd}`];
    if (h.interval) args.push(`--health-interval=${h.interval}`);
    if (h.timeout) args.push(`--health-timeout=${h.timeout}`);
    if (h.startPeriod) args.push(`--health-start-period=${h.startPeriod}`);
    if (h.retries !== undefined) args.push(`--health-retries=${h.retries}`);
    return args;
}

/**
 * `docker create` arguments (without the leading "docker") for a declared container.
 * Uploads are not arguments: the caller copies them in between create and start, as the
 * provider does. `extra` goes before the image (labels, for instance).
 */
export function dockerCreateArgs(c: DeclaredContainer, extra: string[] = []): string[] {
    const args = ["create", `--name=${c.name}`];
    if (c.networkMode) args.push(`--network=${c.networkMode}`);
    if (c.memory !== undefined) args.push(`--memory=${c.memory}m`);
    if (c.memorySwap !== undefined) args.push(`--memory-swap=${c.memorySwap === -1 ? "-1" : `${c.memorySwap}m`}`);
    if (c.cpus !== undefined) args.push(`--cpus=${c.cpus}`);
    if (c.user) args.push(`--user=${c.user}`);
    if (c.restart) args.push(`--restart=${c.restart}`);
    for (const s of c.securityOpts ?? []) args.push(`--security-opt=${s}`);
    for (const e of c.envs ?? []) args.push(`--env=${e}`);
    for (const l of c.labels ?? []) args.push(`--label=${l.label}=${l.value}`);
    for (const v of c.volumes ?? []) {
        args.push(`--volume=${v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`);
    }
    for (const p of c.ports ?? []) {
        // ip::internal and a bare internal port let docker pick the host port.
        const host = p.ip !== undefined ? `${p.ip}:${p.external ?? ""}:` : p.external !== undefined ? `${p.external}:` : "";
        args.push(`--publish=${host}${p.internal}${p.protocol ? `/${p.protocol}` : ""}`);
    }
    if (c.healthcheck) args.push(...healthcheckArgs(c.healthcheck));
    args.push(...extra, c.image, ...(c.command ?? []));
    return args;
}

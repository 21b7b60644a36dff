/**
 * Helpers for the lab's integration tests (test/lab/*.test.ts): where the lab's state is,
 * running docker and ssh, waiting with a bound. The lab itself is built by test/lab/up.sh.
 */
import { execFile, execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { promisify } from "util";
import { renderBrokerFiles } from "../../lib/brokerFiles";
import { shellLine } from "../../lib/scripts";
import { DeclaredContainer, dockerCreateArgs } from "./declared";

const execFileAsync = promisify(execFile);

export const repoRoot = join(__dirname, "..", "..");
export const labDir = join(repoRoot, ".lab");
export const labLabel = "parwop-lab=1";
/** This machine's own address on the lab network (the bridge the SSH test hosts hang off). */
export const labHostAddress = "10.231.0.1";
export const images = {
    base: "parwop-lab-base:bookworm",
    rabbitmq: "parwop-lab-rabbitmq:test",
    standin: "parwop-standin:test",
};
export const sshConfig = join(labDir, "ssh_config");

/** Throws the one message a developer needs when the lab is missing. */
export function requireLab(): void {
    const files = ["hosts", "ssh_config", "known_hosts", "id_ed25519", "data/.hash"];
    if (existsSync(join(labDir, "hosts"))) {
        // Each SSH test host's own engine (test/lab/engines.sh).
        files.push(...labHosts().map((_a, i) => `hostsd/h${i + 1}/docker.sock`));
    }
    const missing = files.filter((f) => !existsSync(join(labDir, f)));
    if (missing.length > 0) {
        throw new Error(`lab not up: run bash test/lab/up.sh (missing .lab/${missing.join(", .lab/")})`);
    }
    try {
        execFileSync("docker", ["info"], { stdio: "ignore", timeout: 20_000 });
    } catch {
        throw new Error("lab not up: run bash test/lab/up.sh (docker info does not answer)");
    }
}

/** The SSH test hosts' addresses, in order (parwop-h1 first). */
export function labHosts(): string[] {
    return readFileSync(join(labDir, "hosts"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
}

export async function run(cmd: string, args: string[], input?: string): Promise<string> {
    const child = execFileAsync(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    if (input !== undefined) {
        child.child.stdin?.end(input);
    }
    return (await child).stdout;
}

export function docker(...args: string[]): Promise<string> {
    return run("docker", args);
}

export function ssh(addr: string, command: string, extraOptions: string[] = []): Promise<string> {
    return run("ssh", ["-F", sshConfig, ...extraOptions, `root@${addr}`, command]);
}

/** `docker ARGS` in an ssh session on an SSH test host: that host's own engine, as on a real node. */
export function dockerOn(addr: string, ...args: string[]): Promise<string> {
    return ssh(addr, shellLine(["docker", ...args]));
}

/** Polls `probe` until it returns a value (not undefined) or the bound passes. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) {
                return value;
            }
        } catch (e) {
            lastError = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last error: ${String(lastError)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** A TCP port nothing listens on now: host-network containers share the machine's ports with
 * whatever else runs here, so tests never assume a fixed one is free. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "0.0.0.0", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** A name unique to this test process, so concurrent runs on one machine do not collide. */
export function uniqueName(base: string): string {
    return `parwop-lab-${base}-${process.pid}`;
}

/**
 * Creates a container from declared settings the way the docker provider does: create, copy
 * the uploads in, then start. Labelled so down.sh removes it whatever happens to the test.
 */
export async function startDeclared(c: DeclaredContainer): Promise<string> {
    await docker(...dockerCreateArgs(c, [`--label=${labLabel}`]));
    if (c.uploads && c.uploads.length > 0) {
        const staging = mkdtempSync(join(tmpdir(), "parwop-lab-uploads-"));
        for (const [i, u] of c.uploads.entries()) {
            const local = join(staging, String(i));
            writeFileSync(local, u.content);
            // The broker reads its files as the rabbitmq user: uploads must be world-readable.
            chmodSync(local, 0o644);
            await docker("cp", local, `${c.name}:${u.file}`);
        }
    }
    await docker("start", c.name);
    return c.name;
}

export async function removeContainers(...names: string[]): Promise<void> {
    await Promise.all(names.map((n) => docker("rm", "-f", n).catch(() => undefined)));
}

/** Container logs, for failure messages. */
export async function logsOf(name: string): Promise<string> {
    try {
        const { stdout, stderr } = await execFileAsync("docker", ["logs", "--tail", "40", name]);
        return stdout + stderr;
    } catch (e) {
        return String(e);
    }
}

/** The lab broker's admin (management API) credentials. */
export const adminUser = "parwop-admin";
export const adminPassword = "lab-admin-pw-4f1c";

export interface Broker {
    name: string;
    amqpPort: number;
    mgmtPort: number;
}

/** Published on the lab network address only: RabbitMQ sees a non-loopback local address. */
export async function startBroker(base: string, withFiles: boolean): Promise<Broker> {
    const b = { name: uniqueName(base), amqpPort: await freePort(), mgmtPort: await freePort() };
    const files = withFiles ? renderBrokerFiles(adminUser, adminPassword) : {};
    const declared: DeclaredContainer = {
        name: b.name,
        image: images.rabbitmq,
        ports: [
            { internal: 5672, external: b.amqpPort, ip: labHostAddress },
            { internal: 15672, external: b.mgmtPort, ip: labHostAddress },
        ],
        uploads: Object.entries(files).map(([file, content]) => ({ file, content })),
        healthcheck: { tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"], interval: "2s", timeout: "10s", retries: 30 },
    };
    await removeContainers(b.name);
    await startDeclared(declared);
    return b;
}

export async function waitBrokerReady(b: Broker): Promise<void> {
    await waitFor(`${b.name} healthy (docker healthcheck: rabbitmq-diagnostics -q ping)`, 90_000, async () => {
        const status = (await docker("inspect", "-f", "{{.State.Health.Status}}", b.name)).trim();
        if (status === "unhealthy") throw new Error(`${b.name} unhealthy:\n${await logsOf(b.name)}`);
        return status === "healthy" ? true : undefined;
    });
    // The management listener comes up a little after the node answers ping.
    await waitFor(`${b.name} management API`, 60_000, async () => {
        const res = await fetch(`http://${labHostAddress}:${b.mgmtPort}/api/whoami`);
        return res.status > 0 ? true : undefined;
    });
}

/**
 * A node that stops answering fails its command within the bounds the program's ssh options set
 * (lib/nodeProvider.ts sshOptions: ServerAliveInterval 5 × ServerAliveCountMax 3, ConnectTimeout
 * 15), naming the host, instead of hanging `pulumi up`. The command line is the program's own
 * (lib/nodeCommand.ts commandLine), run as is, as the command provider runs it: `/bin/bash -c LINE`
 * with the node step's script on stdin.
 *
 * The identity: through ssh-agent, as the README asks of a user (docker's ssh and the commands
 * both use the agent). A HOME whose .ssh holds the key would not do: ssh expands `~` from the
 * passwd entry, not $HOME, so it would never read that key, and `ControlPath=~/.ssh/parwop-%C`
 * would still be root's own ~/.ssh.
 *
 * Hermetic multiplexing: the rendered line keeps its first connection to a node as a control
 * master for 120 s under ~/.ssh, shared by every later command to that node (dockerSsh.test.ts
 * leaves such masters for these very hosts). Each command here runs in a mount namespace of its
 * own whose ~/.ssh is a fresh directory, so it neither reuses another test's master nor leaves one
 * for the next.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { constants, tmpdir, userInfo } from "os";
import { join } from "path";
import { NodeSettings } from "../../config/settings";
import { commandLine, NodeAccess } from "../../lib/nodeCommand";
import { SshSettings } from "../../lib/nodeProvider";
import { bashOnNode } from "../../lib/scripts";
import { labDir, labHosts, requireLab, ssh, waitFor } from "./lab";

/** The keepalive bound (5 s × 3) and the connect bound, with slack for a loaded machine. */
const keepaliveBoundMs = 30_000;
const connectBoundMs = 15_000 + 10_000;
/** Past this a command counts as hung: it is killed and the test fails saying so. */
const hungMs = 60_000;

const labSsh: SshSettings = { user: "root", port: 22, hostKeyChecking: "strict" };

/** A lab host as an inventory entry: strict checking with its real key from .lab/known_hosts. */
function labNode(name: string, host: string): NodeSettings {
    const line = readFileSync(join(labDir, "known_hosts"), "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${host} `));
    return {
        name,
        host,
        address: host,
        workerId: `worker-${name}`,
        workerPort: 8001,
        containerName: "parwop-worker",
        dataDir: "/srv/data",
        codeDir: "/srv/parwop",
        dumpsDir: "/tmp/parwop_dumps",
        // A host with no key in the lab (a dead address) gets a well-formed one it never gets to check.
        hostKey: line?.split(" ").slice(1).join(" ") ?? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKF+1xg+DUpSWxWfhDkUVVnjUsXOWn6iTT8w2T86gXs6",
        local: false,
    };
}

interface Session {
    child: ChildProcess;
    stdout: string;
    stderr: string;
    /** Resolves with the exit code (a signal as 128 + n) and the time it came. */
    exited: Promise<{ code: number; at: number }>;
}

let agent: ChildProcess | undefined;
let agentSocket: string;
const homeSsh = join(userInfo().homedir, ".ssh");
const scratch: string[] = [];

/**
 * `/bin/bash -c LINE` with `stdin`, in a mount namespace where ~/.ssh is `sshDir`, with the lab's
 * key in the agent and nothing else of this machine's ssh setup.
 */
function start(line: string, stdin: string, sshDir: string): Session {
    const child = spawn(
        "unshare",
        [
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/bash",
            "-c",
            'mount --bind "$1" "$2" && exec /bin/bash -c "$3"',
            "_",
            sshDir,
            homeSsh,
            line,
        ],
        {
            env: { ...process.env, SSH_AUTH_SOCK: agentSocket },
        },
    );
    const s: Session = {
        child,
        stdout: "",
        stderr: "",
        exited: new Promise((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), at: Date.now() }));
        }),
    };
    child.stdout!.on("data", (d: Buffer) => (s.stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (s.stderr += d.toString()));
    child.stdin!.on("error", () => undefined); // a host that never answers never reads its stdin
    child.stdin!.end(stdin);
    return s;
}

/** Waits for the session's end, killing it (and failing) if it outlives `hungMs`. */
async function ended(s: Session): Promise<{ code: number; at: number }> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
            s.child.kill("SIGKILL");
            reject(
                new Error(
                    `the command hung: still running after ${hungMs} ms (stdout ${JSON.stringify(s.stdout)}, stderr ${JSON.stringify(s.stderr)})`,
                ),
            );
        }, hungMs);
    });
    try {
        return await Promise.race([s.exited, hung]);
    } finally {
        clearTimeout(timer);
    }
}

function freshSshDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "parwop-deadlink-ssh-"));
    scratch.push(dir);
    return dir;
}

/** Ends a control master left in `sshDir` (by its socket, not by any process name). */
function endMaster(access: NodeAccess, sshDir: string): void {
    try {
        execFileSync(
            "ssh",
            [
                "-F",
                "/dev/null",
                "-o",
                `ControlPath=${sshDir}/parwop-%C`,
                "-p",
                String(access.ssh.port),
                "-O",
                "exit",
                `${access.ssh.user}@${access.node.host}`,
            ],
            {
                stdio: "ignore",
                timeout: 10_000,
            },
        );
    } catch {
        // none there: the usual case once the link died
    }
}

beforeAll(async () => {
    requireLab();
    // The documented prerequisite on the machine running Pulumi, and the mount point here.
    if (!existsSync(homeSsh)) mkdirSync(homeSsh, { recursive: true, mode: 0o700 });
    const dir = mkdtempSync(join(tmpdir(), "parwop-deadlink-agent-"));
    scratch.push(dir);
    agentSocket = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
    await waitFor("ssh-agent's socket", 10_000, async () => (existsSync(agentSocket) ? true : undefined));
    execFileSync("ssh-add", [join(labDir, "id_ed25519")], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: "pipe" });
});
afterAll(() => {
    agent?.kill();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("a link cut while a node command runs", () => {
    const index = 1; // the second lab host: 10.231.0.12, its veth plh2 (test/lab/hosts.sh)
    let access: NodeAccess;
    let sshDir: string;
    let result: { code: number; stdout: string; stderr: string; elapsedMs: number };
    let nodePid: number | undefined;

    beforeAll(async () => {
        const host = labHosts()[index];
        const link = `plh${index + 1}`;
        access = { node: labNode("lab-h2", host), ssh: labSsh };
        sshDir = freshSshDir();
        // A long node step as the program renders one: a bounded bash reading its script on stdin.
        const line = commandLine(access, bashOnNode(600, []));
        const s = start(line, 'echo "started $$"\nexec sleep 120\n', sshDir);
        try {
            const early = s.exited.then((e) => {
                throw new Error(`the command ended (exit ${e.code}) before the node step started: ${s.stderr}`);
            });
            early.catch(() => undefined); // raced below; once the step started, its end is awaited on its own
            const started = await Promise.race([
                waitFor("the node step to start", 30_000, async () => /^started (\d+)$/m.exec(s.stdout)?.[1]),
                early,
            ]);
            // The hosts share this machine's PID namespace: the node-side process is ours to end later.
            nodePid = Number(started);
            execFileSync("ip", ["link", "set", link, "down"]);
            const cut = Date.now();
            const { code, at } = await ended(s);
            result = { code, stdout: s.stdout, stderr: s.stderr, elapsedMs: at - cut };
            console.log(
                `cut link: ${host} (${link} down) failed the command after ${(result.elapsedMs / 1000).toFixed(1)} s, exit ${code}, stderr ${JSON.stringify(s.stderr)}`,
            );
        } finally {
            execFileSync("ip", ["link", "set", link, "up"]);
            if (nodePid !== undefined) {
                try {
                    process.kill(nodePid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
            await waitFor(`ssh to ${host} to answer again`, 60_000, async () => ((await ssh(host, "true")) === "" ? true : undefined));
            endMaster(access, sshDir);
        }
    });

    test("the command fails within the keepalive bound (5 s × 3 + slack), not at once and not never", () => {
        expect(result.code).toBe(255);
        expect(result.elapsedMs).toBeLessThan(keepaliveBoundMs);
        // It was the keepalive that noticed: the session lived on after the cut for at least two probes.
        expect(result.elapsedMs).toBeGreaterThanOrEqual(10_000);
    });

    // ssh's own message goes nowhere with ControlPersist (a background master notices the dead
    // link), so the command line names the node itself on exit 255 (lib/nodeCommand.ts).
    test("its output names the node and its host", () => {
        expect(result.stderr).toContain(`node ${access.node.name} (root@${access.node.host}:22): ssh exited 255`);
    });
});

describe("a dead node at connect time", () => {
    test("an address where nothing answers fails within ConnectTimeout, naming the host", async () => {
        // On the lab network, but no namespace has this address: nothing answers even ARP.
        const access: NodeAccess = { node: labNode("ghost", "10.231.0.250"), ssh: labSsh };
        const s = start(commandLine(access, bashOnNode(600, [])), "exit 0\n", freshSshDir());
        const began = Date.now();
        const { code, at } = await ended(s);
        console.log(
            `dead host ${access.node.host}: failed after ${((at - began) / 1000).toFixed(1)} s, exit ${code}, stderr ${JSON.stringify(s.stderr)}`,
        );
        expect(code).toBe(255);
        expect(at - began).toBeLessThan(connectBoundMs);
        expect(s.stderr).toMatch(
            /^ssh: connect to host 10\.231\.0\.250 port 22: (No route to host|Connection timed out)\r?\nnode ghost \(root@10\.231\.0\.250:22\): ssh exited 255: the connection to the node failed or was lost\n$/,
        );
    });

    test("an address whose packets vanish (a node gone behind a live neighbour entry) fails at ConnectTimeout, naming the host", async () => {
        // Frames to a MAC no one has: every SYN is lost without an answer, so only ConnectTimeout ends the wait.
        const host = "10.231.0.251";
        const dev = /\bdev (\S+)/.exec(execFileSync("ip", ["-o", "route", "get", host], { encoding: "utf8" }))![1];
        execFileSync("ip", ["neigh", "replace", host, "lladdr", "02:00:00:00:02:51", "dev", dev, "nud", "permanent"]);
        try {
            const access: NodeAccess = { node: labNode("vanished", host), ssh: labSsh };
            const s = start(commandLine(access, bashOnNode(600, [])), "exit 0\n", freshSshDir());
            const began = Date.now();
            const { code, at } = await ended(s);
            console.log(
                `dead host ${host} (packets dropped): failed after ${((at - began) / 1000).toFixed(1)} s, exit ${code}, stderr ${JSON.stringify(s.stderr)}`,
            );
            expect(code).toBe(255);
            expect(at - began).toBeGreaterThanOrEqual(14_000);
            expect(at - began).toBeLessThan(connectBoundMs);
            expect(s.stderr).toBe(
                `ssh: connect to host ${host} port 22: Connection timed out\r\nnode vanished (root@${host}:22): ssh exited 255: the connection to the node failed or was lost\n`,
            );
        } finally {
            execFileSync("ip", ["neigh", "del", host, "dev", dev]);
        }
    });
});

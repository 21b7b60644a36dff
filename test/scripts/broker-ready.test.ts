import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { brokerReadyStep } from "../../lib/scripts";
import { FIXTURES, lines, run } from "./proc";

// scripts/broker-ready.sh as the broker's readiness command runs it (`bash -c CREATE`, the script
// on stdin), with the fake docker: its `exec` runs the port check here, so "the container's port"
// is a port on this machine that a listener opens when the test says.

let tmp: string;
let listener: ChildProcess | undefined;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "broker-ready-"));
});
afterEach(() => {
    listener?.kill("SIGKILL");
    listener = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

/** A listener in another process (the test's own process is blocked while the script runs), opened after `delay` seconds. */
function listenAfter(port: number, delay: number): void {
    const code = `import socket,time; time.sleep(${delay}); s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", ${port})); s.listen(); time.sleep(30)`;
    listener = spawn("python3", ["-c", code], { stdio: "ignore" });
}

function ready(port: number, timeout: number, env: Record<string, string> = {}) {
    const step = brokerReadyStep("parwop-rabbitmq", timeout);
    // The rendered line with this test's port and a quick poll; the rest as rendered.
    const create = step.create.replace("--port 5672", `--port ${port} --interval 0.1`);
    fs.writeFileSync(path.join(tmp, "broker.log"), "line 1\nBOOT FAILED: eacces\n");
    return run("bash", ["-c", create], {
        input: step.stdin,
        env: {
            ...process.env,
            PATH: `${path.join(FIXTURES, "bin")}:${process.env.PATH}`,
            FAKE_DOCKER_LOGS_FILE: path.join(tmp, "broker.log"),
            ...env,
        },
    });
}

describe("broker-ready.sh", () => {
    it("ends as soon as the broker's own port accepts a connection, saying after how long", async () => {
        const port = await freePort();
        listenAfter(port, 0.8);
        const started = Date.now();
        const r = ready(port, 20);
        const elapsed = (Date.now() - started) / 1000;
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const m = /^broker parwop-rabbitmq: accepting AMQP after (\d+\.\d) s\n$/.exec(r.stdout);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThanOrEqual(0.7);
        // It polls every 0.1 s here: done within a poll or two of the listener, not at a 10 s health-check tick.
        expect(elapsed).toBeLessThan(4);
    });

    it("fails at once, with the broker's last log lines, when its container stopped", async () => {
        const r = ready(await freePort(), 20, { FAKE_DOCKER_RUNNING: "false" });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr)).toEqual([
            "broker parwop-rabbitmq: stopped before it accepted AMQP (false); its last lines:",
            "  line 1",
            "  BOOT FAILED: eacces",
        ]);
    });

    it("gives up after its bound, naming the port", async () => {
        const port = await freePort();
        const started = Date.now();
        const r = ready(port, 1);
        expect(Date.now() - started).toBeLessThan(3000);
        expect(r.code).toBe(1);
        expect(lines(r.stderr)[0]).toBe(`broker parwop-rabbitmq: not accepting AMQP on port ${port} after 1 s; its last lines:`);
    });

    it.each([[["--port", "5672"]], [["--container", "b", "--timeout", "soon"]], [["--bogus"]]])(
        "rejects %j with exit 2 and usage",
        (args) => {
            const r = run("bash", ["-s", "--", ...args], {
                input: fs.readFileSync(path.join(__dirname, "..", "..", "scripts", "broker-ready.sh")),
            });
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/usage: broker-ready.sh --container NAME/);
        },
    );
});

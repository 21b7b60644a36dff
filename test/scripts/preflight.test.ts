import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, lines, run } from "./proc";

const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts", "preflight.sh"));
const isRoot = process.getuid?.() === 0;

let tmp: string;
let dataDir: string;
let codeDir: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    fs.chmodSync(tmp, 0o755);
    dataDir = path.join(tmp, "data");
    codeDir = path.join(tmp, "code");
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.mkdirSync(codeDir, { mode: 0o755 });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Runs preflight the way the command resource does (`bash -s -- ARGS`, the file on stdin), with
 * the fake docker CLI first on PATH: the real engine is exercised by the lab tests.
 */
function preflight(args: string[], env: Record<string, string> = {}, asUser?: string) {
    const cmd = asUser ? ["runuser", "-u", asUser, "--", "bash", "-s", "--", ...args] : ["bash", "-s", "--", ...args];
    return run(cmd[0], cmd.slice(1), {
        input: SCRIPT,
        env: { ...process.env, PATH: `${path.join(FIXTURES, "bin")}:${process.env.PATH}`, ...env },
    });
}
const ok = () => ["--node", "node7", "--data-dir", dataDir, "--code-dir", codeDir, "--min-memory-bytes", "1", "--min-cpus", "1"];

describe("preflight.sh", () => {
    it("passes with real dirs and low minimums, printing memory and cpus", () => {
        const r = preflight([...ok(), "--docker-host-check"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^preflight node7: ok \(mem \d+\.\d GiB, \d+ cpus\)\n$/);
        const cpus = Number(/, (\d+) cpus/.exec(r.stdout)![1]);
        expect(cpus).toBe(Number(run("nproc", []).stdout.trim()));
    });

    it("reports every problem, one line each naming the node and the value", () => {
        const file = path.join(tmp, "file");
        fs.writeFileSync(file, "");
        const r = preflight(
            [
                "--node",
                "node7",
                "--data-dir",
                path.join(tmp, "missing"),
                "--code-dir",
                file,
                "--min-memory-bytes",
                "999999999999999999",
                "--min-cpus",
                "4096",
                "--docker-host-check",
            ],
            { FAKE_DOCKER: "down", FAKE_DOCKER_DIAL_STDIO: "no" },
        );
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr)).toEqual([
            "preflight node7: docker not reachable: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            "preflight node7: docker CLI has no 'system dial-stdio' (needed for ssh:// DOCKER_HOST)",
            `preflight node7: data dir ${path.join(tmp, "missing")} does not exist`,
            `preflight node7: code dir ${file} is not a directory`,
            expect.stringMatching(/^preflight node7: memory \d+ bytes \(\d+\.\d GiB\) < required 999999999999999999 bytes$/),
            expect.stringMatching(/^preflight node7: cpus \d+ < required 4096$/),
        ]);
    });

    it("bounds a hanging docker daemon", () => {
        const started = Date.now();
        const r = preflight([...ok(), "--docker-timeout", "1"], { FAKE_DOCKER: "hang" });
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual(["preflight node7: docker info did not answer within 1s"]);
    });

    (isRoot ? it : it.skip)("fails a user who can neither write drop_caches nor sudo -n, and unreadable dirs", () => {
        fs.chmodSync(dataDir, 0o700);
        const r = preflight(ok(), {}, "nobody");
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            `preflight node7: data dir ${dataDir} is not readable`,
            expect.stringMatching(
                /^preflight node7: cannot drop caches: user nobody is not root and (has no passwordless sudo \(sudo -n\)|sudo is not installed)$/,
            ),
        ]);
    });

    it("refuses containers of another tier's stack or of the old compose deployment, accepts its own", () => {
        const args = [...ok(), "--stack", "lab-64_4", "--containers", "parwop-worker,parwop-coordinator,parwop-rabbitmq"];
        const r = preflight(args, { FAKE_DOCKER_CONTAINERS: "parwop-worker=lab-32_2,parwop-coordinator=,parwop-rabbitmq=lab-64_4" });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            "preflight node7: container parwop-worker belongs to stack lab-32_2: run pulumi destroy -s lab-32_2 before deploying lab-64_4",
            "preflight node7: container parwop-coordinator exists and is not managed by this project (the old docker-compose deployment?): remove it with docker rm -f parwop-coordinator",
        ]);
        const own = preflight(args, { FAKE_DOCKER_CONTAINERS: "parwop-worker=lab-64_4" });
        expect(own.stderr).toBe("");
        expect(own.code).toBe(0);
    });

    it.each([
        [["--node", "n"]],
        [["--node", "n", "--data-dir", "/", "--code-dir", "/", "--min-memory-bytes", "1", "--min-cpus", "two"]],
        [["--node", "n", "--bogus"]],
    ])("rejects bad arguments %j with exit 2", (args) => {
        const r = preflight(args);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("usage: preflight.sh --node ID");
    });
});

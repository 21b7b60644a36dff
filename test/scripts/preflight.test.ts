import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, lines, run } from "./proc";
import { endStuck, minimalPath, stuckPidFile } from "./stuck";

const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts", "preflight.sh"));
const isRoot = process.getuid?.() === 0;
// The cache-drop check is the real write: as root only where this machine allows it (other
// users go through the fake sudo, which allows it unless told otherwise).
const dropWorks = !isRoot || run("test", ["-w", "/proc/sys/vm/drop_caches"]).code === 0;
const canUnshare = isRoot && run("unshare", ["-m", "true"]).code === 0;
const FAKES = path.join(FIXTURES, "bin");

let tmp: string;
let dataDir: string;
let codeDir: string;
let pidFile: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    fs.chmodSync(tmp, 0o755);
    pidFile = stuckPidFile(tmp);
    dataDir = path.join(tmp, "data");
    codeDir = path.join(tmp, "code");
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.mkdirSync(codeDir, { mode: 0o755 });
    fs.mkdirSync(path.join(dataDir, "part-1"), { mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, "part-1", "0.parquet"), "PAR1");
});
afterEach(() => {
    endStuck(pidFile);
    fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs preflight the way the command resource does (`bash -s -- ARGS`, the file on stdin), with
 * the fake docker and sudo first on PATH: the real engine is exercised by the lab tests, and
 * whether this machine runs one (or has sudo) must not change the outcome. As another user
 * PATH is set through env, since runuser may reset it.
 */
function preflight(args: string[], env: Record<string, string> = {}, asUser?: string) {
    const vars = { PATH: `${FAKES}:${process.env.PATH}`, FAKE_SUDO: "ok", FAKE_STUCK_PIDFILE: pidFile, ...env };
    const prefix = asUser ? ["runuser", "-u", asUser, "--"] : [];
    const [cmd, ...rest] = [...prefix, "env", ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), "bash", "-s", "--", ...args];
    return run(cmd, rest, { input: SCRIPT });
}
const ok = () => ["--node", "node7", "--data-dir", dataDir, "--code-dir", codeDir, "--min-memory-bytes", "1", "--min-cpus", "1"];

describe("preflight.sh", () => {
    (dropWorks ? it : it.skip)("passes with real dirs and low minimums, printing memory and cpus", () => {
        const r = preflight([...ok(), "--docker-host-check"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^preflight node7: ok \(mem \d+\.\d GiB, \d+ cpus\)\n$/);
        const cpus = Number(/, (\d+) cpus/.exec(r.stdout)![1]);
        expect(cpus).toBe(Number(run("nproc", []).stdout.trim()));
    });

    (dropWorks ? it : it.skip)("reports every problem, one line each naming the node and the value", () => {
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

    (dropWorks ? it : it.skip)("bounds a hanging docker daemon", () => {
        const started = Date.now();
        const r = preflight([...ok(), "--docker-timeout", "1"], { FAKE_DOCKER: "hang" });
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual(["preflight node7: docker info did not answer within 1s"]);
    });

    it.each([
        ["has none", () => undefined],
        ["holds only an empty file", () => fs.writeFileSync(path.join(dataDir, "empty.parquet"), "")],
    ])("fails a data dir that %s, naming it", (_name, fill) => {
        fs.rmSync(path.join(dataDir, "part-1"), { recursive: true });
        fill();
        const r = preflight(ok());
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toContain(`preflight node7: data dir ${dataDir} has no data files (no non-empty regular file under it)`);
    });

    (canUnshare ? it : it.skip)("as root: fails where /proc/sys is read-only (the real write, not a permission bit)", () => {
        const r = run(
            "unshare",
            [
                "-m",
                "bash",
                "-c",
                'mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec "$@"',
                "-",
                "env",
                `PATH=${FAKES}:${process.env.PATH}`,
                "bash",
                "-s",
                "--",
                ...ok(),
            ],
            { input: SCRIPT },
        );
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            "preflight node7: cannot drop caches: writing /proc/sys/vm/drop_caches as root failed: Read-only file system",
        ]);
    });

    describe("as a user who is not root: the write goes through sudo -n tee (a fake here)", () => {
        (isRoot ? it : it.skip)("passes with passwordless sudo for tee", () => {
            const r = preflight(ok(), { FAKE_SUDO: "ok" }, "nobody");
            expect(r.stderr).toBe("");
            expect(r.stdout).toMatch(/^preflight node7: ok /);
        });

        (isRoot ? it : it.skip)("fails sudo's refusal and unreadable dirs", () => {
            fs.chmodSync(dataDir, 0o700);
            const r = preflight(ok(), { FAKE_SUDO: "password" }, "nobody");
            expect(r.code).toBe(1);
            expect(lines(r.stderr)).toEqual([
                `preflight node7: data dir ${dataDir} is not readable`,
                "preflight node7: cannot drop caches: writing /proc/sys/vm/drop_caches as nobody with sudo -n tee failed: a password is required",
            ]);
        });

        (isRoot ? it : it.skip)("bounds a write that does not return", () => {
            const started = Date.now();
            const r = preflight([...ok(), "--check-timeout", "1"], { FAKE_SUDO: "hang" }, "nobody");
            expect(Date.now() - started).toBeLessThan(6000);
            expect(lines(r.stderr)).toEqual([
                "preflight node7: cannot drop caches: writing /proc/sys/vm/drop_caches as nobody with sudo -n tee did not finish within 1s",
            ]);
        });

        (isRoot ? it : it.skip)("without sudo at all", () => {
            const r = preflight(ok(), { PATH: minimalPath(tmp, { docker: path.join(FAKES, "docker") }) }, "nobody");
            expect(lines(r.stderr)).toEqual(["preflight node7: cannot drop caches: user nobody is not root and sudo is not installed"]);
        });
    });

    (dropWorks ? it : it.skip)("refuses containers of another tier's stack or of the old compose deployment, accepts its own", () => {
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

    describe("--dumps-dir: reports PARWOP's spill files on stdout, never fails for them", () => {
        (dropWorks ? it : it.skip)("counts the files and MiB a dumps dir holds", () => {
            const dumps = path.join(tmp, "dumps");
            fs.mkdirSync(path.join(dumps, "query-1"), { recursive: true });
            for (const name of ["a.spill", "b.spill", "query-1/c.spill"])
                fs.writeFileSync(path.join(dumps, name), Buffer.alloc(2 ** 20, 1));
            const r = preflight([...ok(), "--dumps-dir", dumps]);
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            expect(lines(r.stdout)).toEqual([
                `preflight node7: dumps dir ${dumps} holds 3 files, 3 MiB (PARWOP spill files of earlier queries; this program never deletes them)`,
                expect.stringMatching(/^preflight node7: ok /),
            ]);
        });

        (dropWorks ? it : it.skip)("says so when the dumps dir does not exist yet", () => {
            const r = preflight([...ok(), "--dumps-dir", path.join(tmp, "none")]);
            expect(r.code).toBe(0);
            expect(lines(r.stdout)[0]).toBe(
                `preflight node7: dumps dir ${path.join(tmp, "none")} does not exist yet (docker creates it for the worker)`,
            );
        });

        (dropWorks ? it : it.skip)("bounds measuring a dumps dir that does not answer (a stuck mount), and still passes", () => {
            const bin = path.join(tmp, "stuck-bin");
            fs.mkdirSync(bin);
            fs.symlinkSync(path.join(FIXTURES, "stuck", "sync"), path.join(bin, "du"));
            const started = Date.now();
            const r = preflight([...ok(), "--dumps-dir", tmp, "--check-timeout", "1"], { PATH: `${bin}:${FAKES}:${process.env.PATH}` });
            expect(Date.now() - started).toBeLessThan(8000);
            expect(r.code).toBe(0);
            expect(lines(r.stdout)[0]).toBe(`preflight node7: dumps dir ${tmp}: counting its files did not finish within 1s`);
        });
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

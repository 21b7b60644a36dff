import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { errorLines, Interrupts, isStaleLock, lockHolders, realCli } from "../../tools/study/pulumiCli";

// What the DIY backend of the pinned CLI says about a stack left locked by a killed CLI (seen
// from `pulumi destroy` after `kill -9` of a `pulumi up`).
const locked = [
    "code: -2",
    " stdout: ",
    " stderr: Command failed with exit code 1: pulumi destroy --yes --skip-preview --stack s1 --non-interactive",
    "error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
    "  file:///tmp/state/.pulumi/locks/organization/aexp/s1/0738f64a.json?no_tmp_dir=true: created by root@vm (pid 24046) at 2026-12-01T22:17:47Z",
    "  file:///tmp/state/.pulumi/locks/organization/aexp/s1/99ab.json?no_tmp_dir=true: created by some.user@lab-host.example (pid 7) at 2026-12-01T22:17:48Z",
].join("\n");

describe("lockHolders and isStaleLock", () => {
    it("reads every holder the CLI names, once each (the Automation API's error repeats the CLI's output)", () => {
        expect(lockHolders(`${locked}\n err?: Error: Command failed\n${locked}`)).toEqual([
            { user: "root", host: "vm", pid: 24046 },
            { user: "some.user", host: "lab-host.example", pid: 7 },
        ]);
        expect(lockHolders("[409] Conflict: Another update is currently in progress.")).toEqual([]);
    });

    it("is stale only when every holder is a gone process of this host", () => {
        const gone = () => false;
        const vm = { user: "root", host: "vm", pid: 1 };
        expect(isStaleLock([vm], "vm", gone)).toBe(true);
        expect(isStaleLock([vm], "vm", () => true)).toBe(false); // still running: wait for it
        expect(isStaleLock([vm, { ...vm, host: "elsewhere" }], "vm", gone)).toBe(false); // cannot be told from here
        expect(isStaleLock([], "vm", gone)).toBe(false); // a backend that names no holder (Pulumi Cloud)
    });
});

describe("errorLines", () => {
    it("keeps the CLI's error lines, once each, without the Automation API's wrapping", () => {
        const message = [
            "code: 255",
            " stdout: Updating (lab-32_2):",
            "  command:local:Command (experiment-sq1-r1-run):",
            "    error: run SQ1 rep 1 failed: processed no records",
            " stderr: error: update failed",
            "err?: Error: Command failed with exit code 255",
            "    error: run SQ1 rep 1 failed: processed no records",
        ].join("\n");
        expect(errorLines(new Error(message))).toEqual(["run SQ1 rep 1 failed: processed no records"]);
        expect(errorLines(new Error("spawn pulumi ENOENT\nmore"))).toEqual(["spawn pulumi ENOENT"]);
    });
});

describe("realCli", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "study-cli-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("finds the first executable pulumi on PATH, never the study's own wrapper", () => {
        const own = path.resolve(__dirname, "../../tools/study/cli/bin");
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "pulumi"), "not executable", { mode: 0o644 });
        expect(realCli({ PATH: [own, dir, bin].join(path.delimiter) })).toBe(path.join(bin, "pulumi"));
        expect(realCli({ PATH: [own, dir].join(path.delimiter) })).toBeUndefined();
    });
});

describe("Interrupts: the SIGINTs of one operation's CLI", () => {
    it("sends the first request as one SIGINT (the graceful cancel), the second as another (stop now), never more", () => {
        const sent: number[] = [];
        const i = new Interrupts(0, (pid) => sent.push(pid));
        i.started(41);
        expect(i.ask()).toBe("cancelling");
        expect(sent).toEqual([41]);
        expect(i.ask()).toBe("stopping");
        expect(i.ask()).toBe("stopping");
        expect(sent).toEqual([41, 41]);
    });

    it("holds a request made before the CLI's first event until it comes, and signals only that CLI", () => {
        const sent: number[] = [];
        const i = new Interrupts(0, (pid) => sent.push(pid));
        i.ask();
        expect(sent).toEqual([]);
        i.started(undefined); // no pid written yet: still waiting
        i.started(41);
        i.started(42); // a later CLI call of the same operation (reading its outputs)
        expect(sent).toEqual([41]);
    });

    it("carries the requests over into a retried operation; a CLI that has ended is no error", () => {
        const sent: number[] = [];
        const retry = new Interrupts(1, (pid) => {
            sent.push(pid);
            throw new Error("ESRCH");
        });
        expect(retry.requests).toBe(1);
        retry.started(7);
        retry.ask();
        expect(sent).toEqual([7, 7]);
    });
});

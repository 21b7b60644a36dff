import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, run } from "./proc";

// tools/study/cli/bin/pulumi, the CLI as the study starts it, run with a stand-in CLI: a script
// that reports its pid and session, or waits for a signal.
const WRAPPER = path.join(ROOT, "tools", "study", "cli", "bin", "pulumi");

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "study-cli-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeCli(body: string): string {
    const file = path.join(tmp, "pulumi-real");
    fs.writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    return file;
}
const sessionOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[3]);

describe("the study's CLI wrapper", () => {
    it("runs the real CLI with its arguments and exit code, in a session of its own, under the pid it writes down", () => {
        const pidFile = path.join(tmp, "cli.pid");
        const cli = fakeCli('echo "$$ $(cut -d" " -f6 /proc/$$/stat) $*"; exit 7');
        const r = run(WRAPPER, ["up", "--yes"], { env: { ...process.env, PARWOP_STUDY_CLI: cli, PARWOP_STUDY_CLI_PID: pidFile } });
        const [pid, sid, ...args] = r.stdout.trim().split(" ");
        expect({ code: r.code, args, stderr: r.stderr }).toEqual({ code: 7, args: ["up", "--yes"], stderr: "" });
        expect(fs.readFileSync(pidFile, "utf8").trim()).toBe(pid);
        // It leads its own session: a terminal's Ctrl-C or hang-up reaches the study, not it.
        expect(sid).toBe(pid);
        expect(Number(sid)).not.toBe(sessionOf(process.pid));
    });

    it("without util-linux's setsid (macOS) leads its own session all the same, through perl", () => {
        const bin = path.join(tmp, "bin");
        fs.mkdirSync(bin);
        for (const tool of ["perl", "cut"]) fs.symlinkSync(run("bash", ["-c", `command -v ${tool}`]).stdout.trim(), path.join(bin, tool));
        const cli = fakeCli('echo "$$ $(cut -d" " -f6 /proc/$$/stat)"');
        const r = run(WRAPPER, [], { env: { PATH: bin, PARWOP_STUDY_CLI: cli } });
        const [pid, sid] = r.stdout.trim().split(" ");
        expect({ code: r.code, stderr: r.stderr, leads: sid === pid }).toEqual({ code: 0, stderr: "", leads: true });
    });

    it("passes a SIGINT sent to the written pid to the CLI itself", async () => {
        const pidFile = path.join(tmp, "cli.pid");
        const cli = fakeCli("trap 'echo \"SIGINT received\"; exit 0' INT; echo ready; while :; do sleep 0.05; done");
        const child = spawn(WRAPPER, [], { env: { ...process.env, PARWOP_STUDY_CLI: cli, PARWOP_STUDY_CLI_PID: pidFile } });
        let out = "";
        const ended = new Promise<number | null>((resolve) => child.on("close", resolve));
        await new Promise<void>((resolve) =>
            child.stdout.on("data", (d) => {
                out += d;
                if (out.includes("ready")) resolve();
            }),
        );
        process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGINT");
        expect(await ended).toBe(0);
        expect(out).toBe("ready\nSIGINT received\n");
    });

    it("refuses to run without the real CLI named", () => {
        const env = { ...process.env };
        delete env.PARWOP_STUDY_CLI;
        const r = run(WRAPPER, ["version"], { env });
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("PARWOP_STUDY_CLI: set by the study: the real pulumi CLI");
    });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, run } from "./proc";

const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts", "drop-caches.sh"));
const canDrop = process.getuid?.() === 0 && run("test", ["-w", "/proc/sys/vm/drop_caches"]).code === 0;

/** Runs the drop the way the command resource does: `bash -s -- --node ID`, the file on stdin. */
function drop(args: string[], asUser?: string) {
    const cmd = asUser ? ["runuser", "-u", asUser, "--", "bash", "-s", "--", ...args] : ["bash", "-s", "--", ...args];
    return run(cmd[0], cmd.slice(1), { input: SCRIPT });
}

describe("drop-caches.sh", () => {
    (canDrop ? it : it.skip)("as root: drops the page cache and prints one short line", () => {
        // put ~64 MiB into the page cache first, so the drop has something measurable to remove
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drop-")), "blob");
        fs.writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 1));
        fs.readFileSync(file);
        try {
            const r = drop(["--node", "node7"]);
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            const m = /^drop-caches node7: Cached (\d+) -> (\d+) kB at \d+\.\d{9}\n$/.exec(r.stdout);
            expect(m).not.toBeNull();
            expect(Number(m![1]) - Number(m![2])).toBeGreaterThan(32 * 1024);
        } finally {
            fs.rmSync(path.dirname(file), { recursive: true, force: true });
        }
    });

    (process.getuid?.() === 0 ? it : it.skip)("without root or passwordless sudo: fails with one clear line", () => {
        const r = drop(["--node", "node7"], "nobody");
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe("drop-caches node7: not root and no passwordless sudo (sudo -n): cannot write /proc/sys/vm/drop_caches\n");
    });

    it("requires --node", () => {
        const r = drop([]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe("usage: drop-caches.sh --node ID\n");
    });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, run } from "./proc";

const SCRIPT = path.join(ROOT, "scripts", "record-attempt.js");
const attempt = { stack: "lab-32_2", run: "sq1-r1", run_id: "1", run_key: "0123456789abcdef", attempt: 1 };
const note = (dir: string, value: unknown) =>
    run("node", [SCRIPT, dir], { env: { ...process.env, PARWOP_ATTEMPT: typeof value === "string" ? value : JSON.stringify(value) } });

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "record-attempt-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("record-attempt.js", () => {
    it("appends one line per attempt, with its start time, and says when it is a retry", () => {
        const dir = path.join(tmp, "results", "lab-32_2");
        expect(note(dir, attempt)).toEqual({ code: 0, stdout: "attempt 1 of sq1-r1 started\n", stderr: "" });
        expect(note(dir, { ...attempt, attempt: 2 })).toEqual({
            code: 0,
            stdout: "attempt 2 of sq1-r1 started (attempt 1 left no record: this one drops the caches again)\n",
            stderr: "",
        });
        const lines = fs
            .readFileSync(path.join(dir, "attempts.jsonl"), "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toEqual([
            { ...attempt, started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
            { ...attempt, attempt: 2, started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        ]);
        expect(fs.existsSync(path.join(dir, "runs.jsonl"))).toBe(false);
    });

    it.each([
        ["no attempt number", { ...attempt, attempt: 0 }, "PARWOP_ATTEMPT field attempt must be a whole number > 0, got 0"],
        ["no run key", { ...attempt, run_key: "" }, "PARWOP_ATTEMPT field run_key must be a non-empty string"],
        ["not JSON", "{", "PARWOP_ATTEMPT is not valid JSON"],
    ])("refuses %s in one line, writing nothing", (_name, value, message) => {
        const r = note(tmp, value);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^record-attempt: ${message.replace(/[()]/g, "\\$&")}.*\\n$`));
        expect(fs.existsSync(path.join(tmp, "attempts.jsonl"))).toBe(false);
    });
});

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EventLog, lastUpOf, StudyEvent } from "../../tools/study/eventLog";

const step = (stack: string, s: "up" | "destroy", status: string): StudyEvent => ({ at: "t", event: "step", stack, step: s, status });

describe("lastUpOf: how the last up of a stack's current deployment ended", () => {
    it.each<[string, StudyEvent[], string]>([
        ["no up at all", [], "none"],
        ["an up that finished", [step("a", "up", "started"), step("a", "up", "finished")], "finished"],
        ["an up cancelled by Ctrl-C", [step("a", "up", "started"), step("a", "up", "cancelled")], "cancelled"],
        ["an up that failed", [step("a", "up", "started"), step("a", "up", "failed")], "failed"],
        ["an up with no outcome (the study was killed)", [step("a", "up", "started")], "vanished"],
        [
            "an up, then a finished destroy: a new deployment",
            [step("a", "up", "started"), step("a", "up", "failed"), step("a", "destroy", "started"), step("a", "destroy", "finished")],
            "none",
        ],
        [
            "a destroy cut short: the up before still speaks",
            [step("a", "up", "started"), step("a", "up", "failed"), step("a", "destroy", "started")],
            "failed",
        ],
        [
            "a cancelled up completed by the next",
            [step("a", "up", "cancelled"), step("a", "up", "started"), step("a", "up", "finished")],
            "finished",
        ],
        ["another stack's steps do not count", [step("a", "up", "finished"), step("b", "up", "started")], "finished"],
    ])("%s", (_name, events, expected) => {
        expect(lastUpOf(events, "a")).toBe(expected);
    });
});

describe("EventLog", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "study-log-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("appends one JSON line per event, stamped, and reads them back; a line cut short by a crash is skipped", () => {
        const log = new EventLog(path.join(dir, "study-lab"));
        log.append({ event: "step", stack: "lab-32_2", step: "up", status: "started" }, new Date("2025-01-01T00:00:00Z"));
        fs.appendFileSync(log.file, '{"event": "st');
        fs.appendFileSync(log.file, "\n");
        log.append(
            { event: "run", stack: "lab-32_2", status: "finished", index: 1, of: 4, seconds: 2.5 },
            new Date("2025-01-01T00:00:03Z"),
        );
        expect(fs.readFileSync(log.file, "utf8").split("\n")[0]).toBe(
            '{"at":"2025-01-01T00:00:00.000Z","event":"step","stack":"lab-32_2","step":"up","status":"started"}',
        );
        expect(log.read()).toEqual([
            { at: "2025-01-01T00:00:00.000Z", event: "step", stack: "lab-32_2", step: "up", status: "started" },
            { at: "2025-01-01T00:00:03.000Z", event: "run", stack: "lab-32_2", status: "finished", index: 1, of: 4, seconds: 2.5 },
        ]);
    });
});

/**
 * The study's event log, results/study-ENV/events.jsonl: one JSON object a line, appended as
 * things happen (steps, phases, runs, config writes), for scripts and for the next resume, which
 * reads from it how each stack's last `up` ended. Only appended, like the results.
 */
import * as fs from "fs";
import * as path from "path";
import { LastUp } from "./plan";

/** What happened; the log adds when (`at`, ISO time). */
export interface StudyEventFields {
    event: "study" | "step" | "phase" | "run" | "config" | "unlock" | "warning";
    stack?: string;
    tier?: string;
    /** step: up or destroy; study: the study itself. */
    step?: "up" | "destroy";
    /** step: started, finished, cancelled or failed; run: started, finished, failed or kept; study: started, finished, failed or interrupted. */
    status?: string;
    [detail: string]: unknown;
}

export type StudyEvent = StudyEventFields & { at: string };

export class EventLog {
    readonly file: string;

    constructor(dir: string) {
        fs.mkdirSync(dir, { recursive: true });
        this.file = path.join(dir, "events.jsonl");
    }

    append(e: StudyEventFields, now = new Date()): StudyEvent {
        const line = { at: now.toISOString(), ...e };
        fs.appendFileSync(this.file, JSON.stringify(line) + "\n");
        return line;
    }

    read(): StudyEvent[] {
        if (!fs.existsSync(this.file)) return [];
        return fs
            .readFileSync(this.file, "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "")
            .flatMap((l) => {
                try {
                    return [JSON.parse(l) as StudyEvent];
                } catch {
                    return []; // a line cut short by a crash says nothing
                }
            });
    }
}

/**
 * How the last `up` of a stack's current deployment ended: the outcome of its last up step after
 * its last finished destroy; "vanished" when that up started and no outcome followed (the study
 * reading this holds the study's lock, so the one that started it is gone).
 */
export function lastUpOf(events: StudyEvent[], stack: string): LastUp {
    let last: LastUp = "none";
    for (const e of events) {
        if (e.event !== "step" || e.stack !== stack) continue;
        if (e.step === "destroy" && e.status === "finished") last = "none";
        if (e.step !== "up") continue;
        if (e.status === "started") last = "vanished";
        else if (e.status === "finished" || e.status === "cancelled" || e.status === "failed") last = e.status;
    }
    return last;
}

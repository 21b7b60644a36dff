import * as fs from "fs";
import * as path from "path";
import { AttemptLog } from "../model/attempts";

/** The JSON objects of a JSON Lines file; missing file, blank or unreadable lines give nothing (record-result.js guards the file). */
function objects(file: string): Record<string, unknown>[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line) => {
            try {
                const v: unknown = JSON.parse(line);
                return v !== null && typeof v === "object" && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
            } catch {
                return [];
            }
        });
}

/** What results/<stack> on this machine says of the attempts made and recorded (model/attempts.ts). */
export function readAttemptLog(resultsDir: string): AttemptLog {
    return { started: objects(path.join(resultsDir, "attempts.jsonl")), recorded: objects(path.join(resultsDir, "runs.jsonl")) };
}

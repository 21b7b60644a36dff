import { ExperimentConfig } from "../config/experiment";

export interface PlannedRun {
    /** Resource-name-safe id: <query>-w<n> for warm-ups, <query>-r<n> for recorded runs. */
    id: string;
    query: ExperimentConfig["queries"][number];
    /** 1-based within its kind (warm-up or recorded). */
    repetition: number;
    warmup: boolean;
}

/** Every run in order: per query, its warm-ups, then its recorded repetitions. Empty when disabled. */
export function runPlan(e: ExperimentConfig): PlannedRun[] {
    if (!e.enabled) return [];
    return e.queries.flatMap((query) => [
        ...Array.from({ length: e.warmups }, (_, i) => ({
            id: `${query.name.toLowerCase()}-w${i + 1}`,
            query,
            repetition: i + 1,
            warmup: true,
        })),
        ...Array.from({ length: e.repetitions }, (_, i) => ({
            id: `${query.name.toLowerCase()}-r${i + 1}`,
            query,
            repetition: i + 1,
            warmup: false,
        })),
    ]);
}

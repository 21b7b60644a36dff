import { z } from "zod";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** A resource tier as written in stacks/<tier>.yaml. */
export const tierSchema = z
    .object({
        /** RAM the tier stands for, in GiB. */
        ramGiB: z.number().positive(),
        /** CPUs per PARWOP container (docker `cpus`, coordinator's MAX_CPU). */
        cpus: z.number().int().positive(),
        /** Multiplier on ramGiB for the container limit (1.1 = 10% headroom). */
        memoryHeadroom: z.number().min(1).max(2),
        /** The limit in bytes, when it must match a figure rounded by hand; default ramGiB x GiB x headroom. */
        memoryLimitBytes: z.number().int().positive().optional(),
        /** PARWOP's query `memory_limit`, in records (not bytes). */
        queryMemoryRecords: z.number().int().positive(),
    })
    .strict();

export type TierFile = z.infer<typeof tierSchema>;

/** What a tier means for the containers and the experiment. */
export interface Tier {
    name: string;
    ramGiB: number;
    cpus: number;
    /** Container memory limit in bytes, as the original compose file's MEMORY_LIMIT. */
    memoryLimitBytes: number;
    /** The same limit for the docker provider, which takes MiB (rounded up: never less than the original). */
    memoryMiB: number;
    /** `cpus` as the docker provider reads it back ("2.0"): any other spelling replaces containers on every up. */
    cpusString: string;
    queryMemoryRecords: number;
}

/** Turns a checked tier file into limits; returns an error line when the pinned byte figure disagrees. */
export function tierLimits(name: string, file: TierFile): Tier | string {
    const computed = file.ramGiB * GiB * file.memoryHeadroom;
    const bytes = file.memoryLimitBytes ?? Math.round(computed);
    if (Math.abs(bytes - computed) >= 1) {
        return `memoryLimitBytes ${bytes} is not ramGiB x 2^30 x memoryHeadroom (${computed})`;
    }
    return {
        name,
        ramGiB: file.ramGiB,
        cpus: file.cpus,
        memoryLimitBytes: bytes,
        memoryMiB: Math.ceil(bytes / MiB),
        cpusString: file.cpus.toFixed(1),
        queryMemoryRecords: file.queryMemoryRecords,
    };
}

import { listProjectDir, readProjectFile } from "../../config/stack";
import { loadFile } from "../../config/issues";
import { Tier, tierLimits, tierSchema } from "../../config/tiers";

/** A shipped tier file (stacks/<name>.yaml), checked and turned into limits as the program does. */
function settingsFor(name: string): Tier {
    const file = loadFile(`stacks/${name}.yaml`, readProjectFile, tierSchema, `no tier ${name}`);
    if (Array.isArray(file)) throw new Error(file.join("\n"));
    const tier = tierLimits(name, file);
    if (typeof tier === "string") throw new Error(tier);
    return tier;
}
const shippedTiers = listProjectDir("stacks")
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5));

describe("tiers", () => {
    // The original compose files' MEMORY_LIMIT and CPU_COUNT, and the study's records per tier.
    test.each([
        ["32_2", 37795712204, 36045, "2.0", 2, 5_000_000],
        ["64_4", 75591424410, 72090, "4.0", 4, 10_000_000],
        ["128_8", 151182848819, 144180, "8.0", 8, 20_000_000],
        ["128_16", 151182848819, 144180, "16.0", 16, 20_000_000],
    ])("%s: %d bytes = %d MiB, cpus %s", (name, bytes, mib, cpusString, cpus, records) => {
        const tier = settingsFor(name);
        expect(tier.memoryLimitBytes).toBe(bytes);
        expect(tier.memoryMiB).toBe(mib);
        expect(tier.cpusString).toBe(cpusString);
        expect(tier.cpus).toBe(cpus);
        expect(tier.queryMemoryRecords).toBe(records);
    });

    test("MiB are rounded up, so the container never gets less than the original limit", () => {
        for (const name of shippedTiers) {
            const tier = settingsFor(name);
            expect(tier.memoryMiB * 2 ** 20).toBeGreaterThanOrEqual(tier.memoryLimitBytes);
            expect(tier.memoryMiB * 2 ** 20 - tier.memoryLimitBytes).toBeLessThan(2 ** 20);
        }
    });

    test("without a pinned figure the limit is ramGiB x 2^30 x headroom", () => {
        const tier = tierLimits("t", { ramGiB: 2, cpus: 1, memoryHeadroom: 1.5, queryMemoryRecords: 1 });
        expect(tier).toMatchObject({ memoryLimitBytes: 3 * 2 ** 30, memoryMiB: 3072, cpusString: "1.0" });
    });

    test("a pinned figure that disagrees with the RAM is refused", () => {
        expect(tierLimits("t", { ramGiB: 32, cpus: 2, memoryHeadroom: 1.1, memoryLimitBytes: 34359738368, queryMemoryRecords: 1 })).toBe(
            "memoryLimitBytes 34359738368 is not ramGiB x 2^30 x memoryHeadroom (37795712204.8)",
        );
    });
});

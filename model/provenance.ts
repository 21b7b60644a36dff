import { digestOf } from "../model/digest";
import { Settings } from "../config/settings";
import type { PlacedNode } from "./placement";
import type { RunTrigger } from "./schedule";

/**
 * A digest of what shapes one run's measurement: tier, nodes, image, and the run's own query and
 * knobs. Not the run id, the repetition, the attempt or its bound, the scripts, nor how many queries,
 * repetitions or warm-ups the series has: every run of one series carries the same digest for
 * the same query, so adding a repetition changes no recorded run's hash.
 */
export function runConfigHash(s: Settings, nodes: PlacedNode[], t: RunTrigger): string {
    // Keys set to undefined drop out of the digest (JSON).
    // The scripts are not in it: each record carries their digests of its own (driver_digest,
    // drop_digest), and the tools that match records to runs (the study) read no scripts.
    const shaping = {
        ...t,
        run: undefined,
        runId: undefined,
        repetition: undefined,
        attempt: undefined,
        runTimeoutSeconds: undefined,
        scripts: undefined,
    };
    // The nodes as placed, each with its engine's host, as the hash has always read them.
    return digestOf({ tier: s.tier, nodes, image: s.image, run: shaping });
}

/**
 * What each results line carries besides the driver's figures, as far as the config tells.
 * The deployed cluster's facts (identity, image ID, source digest) and each run's own (config
 * hash, key, attempt) are added by the Experiment;
 * the git commit by record-result.js, so a new commit changes no record command.
 */
export function provenance(stack: string, s: Settings, scripts: { driver: string; dropCaches: string }): Record<string, unknown> {
    return {
        stack,
        tier: s.tier.name,
        environment: s.environment,
        node_count: s.nodes.length,
        nodes: s.nodes.map((n) => n.workerId),
        mode: s.experiment.mode,
        run_id: String(s.experiment.runId),
        driver_digest: scripts.driver,
        drop_digest: scripts.dropCaches,
    };
}

import { digestOf } from "../lib/digest";
import { Settings } from "../config/settings";

/**
 * A digest of everything that shapes a result apart from the run id: tier, nodes, image,
 * experiment. Two result groups with the same digest differ only in when they were taken.
 */
export function configHash(s: Settings): string {
    const shaping = { tier: s.tier, nodes: s.nodes, image: s.image, experiment: { ...s.experiment, runId: undefined } };
    return digestOf(shaping);
}

/**
 * What each results line carries besides the driver's figures, as far as the config tells.
 * The deployed cluster's facts (identity, image ID, source digest) are added by the Experiment;
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
        config_hash: configHash(s),
        driver_digest: scripts.driver,
        drop_digest: scripts.dropCaches,
    };
}

import { listProjectDir, plaintextSecrets, rawStackConfig, readProjectFile } from "../config/stack";
import { Settings } from "../config/settings";
import { ConfigError, parseConfig, RawStackConfig, ReadFile, resolveSettings } from "../config/validate";
import { crossCheck } from "./checks";

/**
 * Checks the whole stack config and the files it names, the schemas first, then the rules across
 * fields; returns typed settings or throws a ConfigError listing every problem. The clashes on a
 * host are checked with the placement (model/declare.ts). Runs before any resource is registered.
 */
export function loadSettings(
    raw: RawStackConfig,
    readFile: ReadFile,
    list: (dir: string) => string[],
    plaintextSecrets: string[] = [],
): Settings {
    const parsed = parseConfig(raw, readFile, list, plaintextSecrets);
    const problems = crossCheck(parsed.envFile, parsed.env, parsed.nodes, parsed.stack.experiment);
    if (problems.length > 0) throw new ConfigError(problems);
    return resolveSettings(parsed);
}

/** Settings for the running stack; throws ConfigError (one line per problem) before any resource exists. */
export function stackSettings(): Settings {
    return loadSettings(rawStackConfig(), readProjectFile, listProjectDir, plaintextSecrets());
}

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, RawStackConfig } from "./validate";
import { Settings } from "./settings";

/** The project root: envs/ and stacks/ are read from here, whatever the working directory. */
export const projectRoot = path.resolve(__dirname, "..");

/** Keys whose values are secrets: they are read as Outputs and never echoed in errors. */
export const secretKeys = ["brokerAdminPassword"];

const objectKeys = ["experiment", "healthGate"];

/** The parwop:* config as Pulumi hands it to the program; objects arrive as JSON text. */
export function rawStackConfig(all: Record<string, string> = pulumi.runtime.allConfig()): RawStackConfig {
    const raw: RawStackConfig = {};
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith("parwop:")) continue;
        const key = fullKey.slice("parwop:".length);
        if (secretKeys.includes(key)) continue;
        raw[key] = objectKeys.includes(key) ? parseObject(value) : value;
    }
    return raw;
}

function parseObject(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text; // the schema then names the key and says it wants an object
    }
}

/** Reading a project's files (envs/, stacks/) relative to its root: this project, or another checkout the tools look at. */
export function projectFiles(root: string): { read: (rel: string) => string | undefined; list: (rel: string) => string[] } {
    return {
        read: (rel) => (fs.existsSync(path.join(root, rel)) ? fs.readFileSync(path.join(root, rel), "utf8") : undefined),
        list: (rel) => (fs.existsSync(path.join(root, rel)) ? fs.readdirSync(path.join(root, rel)) : []),
    };
}

export const { read: readProjectFile, list: listProjectDir } = projectFiles(projectRoot);

/** Secret keys whose value the stack file holds in plain text (set without --secret). */
export function plaintextSecrets(all: Record<string, string> = pulumi.runtime.allConfig()): string[] {
    // The SDK's own check (its Config.get warns with it); exported at run time but marked @internal in its types.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;
    return secretKeys.filter((key) => `parwop:${key}` in all && !isSecret(`parwop:${key}`));
}

/** Settings for the running stack; throws ConfigError (one line per problem) before any resource exists. */
export function stackSettings(): Settings {
    return loadSettings(rawStackConfig(), readProjectFile, listProjectDir, plaintextSecrets());
}

/** The stack's secrets as Pulumi secrets (undefined when not set). */
export function stackSecrets(): { brokerAdminPassword?: pulumi.Output<string> } {
    return { brokerAdminPassword: new pulumi.Config("parwop").getSecret("brokerAdminPassword") };
}

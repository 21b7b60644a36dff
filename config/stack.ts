import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { configKey, configNamespace, objectKeys, secretKeys } from "./keys";
import { RawStackConfig } from "./validate";

/** The project root: envs/ and stacks/ are read from here, whatever the working directory. */
export const projectRoot = path.resolve(__dirname, "..");

export { secretKeys };

/** The parwop:* config as Pulumi hands it to the program; objects arrive as JSON text. */
export function rawStackConfig(all: Record<string, string> = pulumi.runtime.allConfig()): RawStackConfig {
    const raw: RawStackConfig = {};
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(configKey(""))) continue;
        const key = fullKey.slice(configKey("").length);
        if ((secretKeys as string[]).includes(key)) continue;
        raw[key] = (objectKeys as string[]).includes(key) ? parseObject(value) : value;
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
    return secretKeys.filter((key) => configKey(key) in all && !isSecret(configKey(key)));
}

/** The stack's secrets as Pulumi secrets (undefined when not set). */
export function stackSecrets(): { brokerAdminPassword?: pulumi.Output<string> } {
    return { brokerAdminPassword: new pulumi.Config(configNamespace).getSecret("brokerAdminPassword") };
}

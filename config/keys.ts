/** The stack config's namespace: Pulumi hands the program `parwop:<key>`. */
export const configNamespace = "parwop";

/** A key as Pulumi and the user write it: `parwop:experiment`. */
export function configKey(key: string): string {
    return `${configNamespace}:${key}`;
}

/**
 * Every stack config key, in the order messages list them, with how Pulumi hands it over: a
 * scalar as text, an object as JSON text, a secret as an Output that is never echoed.
 */
export const configKeys = {
    environment: "scalar",
    tier: "scalar",
    restartGeneration: "scalar",
    restartPolicy: "scalar",
    brokerAdminUser: "scalar",
    brokerAdminPassword: "secret",
    experiment: "object",
    healthGate: "object",
} as const;

export type ConfigKeyName = keyof typeof configKeys;
type KeysOf<K> = { [N in ConfigKeyName]: (typeof configKeys)[N] extends K ? N : never }[ConfigKeyName];
/** The keys the schema checks (config/validate.ts): all but the secrets. */
export type CheckedKey = Exclude<ConfigKeyName, KeysOf<"secret">>;

export const knownKeys = Object.keys(configKeys) as ConfigKeyName[];
export const secretKeys = knownKeys.filter((k) => configKeys[k] === "secret");
export const objectKeys = knownKeys.filter((k) => configKeys[k] === "object");

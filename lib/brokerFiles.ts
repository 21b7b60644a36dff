import { createHash } from "crypto";

/** Where the broker container reads the files below (RabbitMQ 3.10 reads every conf.d/*.conf). */
export const brokerConfPath = "/etc/rabbitmq/conf.d/20-parwop.conf";
export const brokerDefinitionsPath = "/etc/rabbitmq/parwop-definitions.json";

/**
 * RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt ++ sha256(salt ++ password)).
 * The salt is derived from the password so the same password always gives the same file:
 * a random salt would change the container's uploads, and so replace the broker, on every `up`.
 */
export function rabbitPasswordHash(password: string): string {
    const salt = createHash("sha256").update(`parwop-broker:${password}`).digest().subarray(0, 4);
    const digest = createHash("sha256")
        .update(Buffer.concat([salt, Buffer.from(password, "utf8")]))
        .digest();
    return Buffer.concat([salt, digest]).toString("base64");
}

/**
 * The two files that make the broker safe for PARWOP:
 * - PARWOP connects as guest/guest with no way to change it, so guest may log in over AMQP
 *   from other hosts (`loopback_users.guest = false`), but carries no tag, so the
 *   management UI/API refuses it;
 * - an administrator whose password is a Pulumi secret runs the management UI.
 * Loading definitions at boot replaces RabbitMQ's default user creation, so guest is declared here.
 */
export function renderBrokerFiles(adminUser: string, adminPassword: string): Record<string, string> {
    const permissions = { vhost: "/", configure: ".*", write: ".*", read: ".*" };
    const definitions = {
        users: [
            { name: "guest", password_hash: rabbitPasswordHash("guest"), hashing_algorithm: "rabbit_password_hashing_sha256", tags: [] },
            {
                name: adminUser,
                password_hash: rabbitPasswordHash(adminPassword),
                hashing_algorithm: "rabbit_password_hashing_sha256",
                tags: ["administrator"],
            },
        ],
        vhosts: [{ name: "/" }],
        permissions: [
            { user: "guest", ...permissions },
            { user: adminUser, ...permissions },
        ],
    };
    const conf = ["loopback_users.guest = false", `load_definitions = ${brokerDefinitionsPath}`, ""].join("\n");
    return { [brokerConfPath]: conf, [brokerDefinitionsPath]: JSON.stringify(definitions, null, 2) + "\n" };
}

import { z } from "zod";

// Shapes of everything a user writes: the environment file (envs/<env>.yaml) and the
// structured stack config. Cross-field rules (clashes, references) live in crossCheck.ts.

const absolutePath = z
    .string()
    .regex(/^\/\S*$/, "must be an absolute path")
    .refine((p) => !p.split("/").some((part) => part === "." || part === ".."), "must not contain . or .. segments");
// A docker image reference: [registry[:port]/]name[:tag][@digest], lower-case name.
const imageRef = z
    .string()
    .regex(/^[a-z0-9][a-z0-9._\/:-]*(@sha256:[a-f0-9]{64})?$/, "must be a docker image reference such as parwop:0.1");
/** Docker restart policies, as the stack's restartPolicy takes them and every container gets them. */
export const restartPolicies = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof restartPolicies)[number];

const port = z.number().int().min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");
// A host name or IPv4 address: it goes into URLs and ssh:// hosts, so no scheme, port, user or spaces.
const hostName = z
    .string()
    .regex(
        /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
        "must be a host name or IPv4 address (no scheme, port or user)",
    );
// Names become Pulumi resource names and container names.
const plainName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lower-case letters, digits and dashes");
const containerName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, "must be a valid container name");
const hostKey = z
    .string()
    .regex(
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}$/,
        "must be a public host key line: TYPE BASE64 (ssh-keyscan output without the host)",
    );

/** One machine of the lab: it runs a PARWOP worker, and maybe the coordinator and broker. */
export const nodeSchema = z
    .object({
        /** Stable logical name; Pulumi resource names derive from it, so renaming replaces the node's resources. */
        name: plainName,
        /** SSH host of the node's Docker engine (ssh://user@host:port). */
        host: hostName,
        /** PARWOP NODE_ID of this node's worker. */
        workerId: plainName,
        /** Host name other nodes use in URLs for this node; default `host`. */
        address: hostName.optional(),
        /** Worker API port on this node; default the environment's ports.worker. */
        workerPort: port.optional(),
        /** Worker container name; default the environment's containerNames.worker. */
        containerName: containerName.optional(),
        /** Node-local dataset dir, mounted read-only at /data; default the environment's dataDir. */
        dataDir: absolutePath.optional(),
        /** PARWOP code dir on this node, mounted read-only at /code; default the environment's codeDir. */
        codeDir: absolutePath.optional(),
        /** PARWOP spill dir on the node's disk (DUMPS_PATH); default the environment's dumpsDir. */
        dumpsDir: absolutePath.optional(),
        /** The node's SSH host key, required when ssh.hostKeyChecking is "strict". */
        hostKey: hostKey.optional(),
    })
    .strict();

export const environmentSchema = z
    .object({
        /** Every node runs Docker and commands here, on the machine running Pulumi (the dev environment). */
        local: z.boolean().default(false),
        /** `name` of the node that hosts the coordinator (and the broker, unless brokerNode says otherwise). */
        coordinatorNode: plainName,
        /** `name` of the node that hosts RabbitMQ; default coordinatorNode. */
        brokerNode: plainName.optional(),
        ssh: z
            .object({
                user: z
                    .string()
                    .regex(/^[a-z_][a-z0-9_-]*$/, "must be a user name")
                    .default("root"),
                port: port.default(22),
                /** "strict": every node's hostKey is checked (commands) and known_hosts is required (docker). */
                hostKeyChecking: z.enum(["strict", "off"]).default("strict"),
            })
            .strict()
            // prefault: the defaults are the fields' own, written once.
            .prefault({}),
        ports: z
            .object({
                coordinator: port.default(8000),
                worker: port.default(8001),
                amqp: port.default(5672),
                management: port.default(15672),
            })
            .strict()
            .prefault({}),
        containerNames: z
            .object({
                coordinator: containerName.default("parwop-coordinator"),
                worker: containerName.default("parwop-worker"),
                broker: containerName.default("parwop-rabbitmq"),
            })
            .strict()
            .prefault({}),
        codeDir: absolutePath,
        dataDir: absolutePath,
        dumpsDir: absolutePath.default("/tmp/parwop_dumps"),
        image: z
            .object({
                /** Tag of the PARWOP image on every node. */
                name: imageRef.default("parwop:0.1"),
                /** Build it on every node's engine from this context (a path on the machine running Pulumi); omit to use a prebuilt image. */
                build: z
                    .object({
                        context: absolutePath,
                        /** Relative to the context, as docker takes it. */
                        dockerfile: z
                            .string()
                            .regex(/^[^/\s]\S*$/, "must be a path relative to build.context")
                            .optional(),
                    })
                    .strict()
                    .optional(),
            })
            .strict()
            .prefault({}),
        /** Broker image: must behave like the official rabbitmq:3.10-management image. */
        brokerImage: imageRef.default("rabbitmq:3.10.7-management"),
        nodes: z.array(nodeSchema).min(1, "must list at least one node"),
    })
    .strict();

export type EnvironmentFile = z.infer<typeof environmentSchema>;
export type NodeEntry = z.infer<typeof nodeSchema>;

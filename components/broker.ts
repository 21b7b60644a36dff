import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderBrokerFiles } from "../lib/brokerFiles";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { namedContainerOptions, ownerLabels } from "../lib/parwopContainer";
import { brokerReadyStep } from "../lib/scripts";

export interface BrokerArgs {
    /** Image that behaves like the official rabbitmq:3.10-management (reads conf.d, has rabbitmq-diagnostics). */
    image: string;
    /** Container name (default parwop-rabbitmq). */
    containerName: string;
    /** AMQP port published on the node (default 5672); PARWOP connects there as guest. */
    amqpPort: number;
    /** Management UI/API port published on the node (default 15672); only the admin may log in. */
    managementPort: number;
    /** Management administrator's user name. */
    adminUser: string;
    /** Administrator password (a Pulumi secret); generated when omitted. */
    adminPassword?: pulumi.Input<string>;
    /** Docker restart policy: no, on-failure, always or unless-stopped. */
    restartPolicy: string;
    /** The broker's node, where the readiness wait runs (its command provider comes from opts). */
    access: NodeAccess;
}

/** Seconds RabbitMQ gets to accept AMQP after its container started. */
export const brokerReadySeconds = 180;

/**
 * Seconds the broker gets to stop before docker kills it. Its state dies with its container (no
 * volume: PARWOP's notifications are transient), and what a graceful stop does for it, closing
 * connections and the message stores, takes 30 ms; then RabbitMQ 3.10's management plugin waits
 * 5 s doing nothing (seen in its log on every stop), which every destroy and replace would pay.
 */
export const brokerStopSeconds = 2;

/** RabbitMQ for PARWOP's result notifications, on the coordinator's node. */
export class Broker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** Passes once RabbitMQ accepts AMQP connections in its container. */
    public readonly ready: command.local.Command;
    /** The management administrator's password, always a secret. */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: BrokerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Broker", name, {}, opts);
        this.adminPassword = pulumi.secret(
            args.adminPassword ??
                new random.RandomPassword(`${name}-admin-password`, { length: 24, special: false }, { parent: this }).result,
        );
        const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });
        const files = this.adminPassword.apply((password) => renderBrokerFiles(args.adminUser, password));
        this.container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: image.imageId,
                ports: [
                    { internal: 5672, external: args.amqpPort },
                    { internal: 15672, external: args.managementPort },
                ],
                // The definitions hold the admin's password hash: secret in state, uploaded before start.
                uploads: files.apply((f) => Object.entries(f).map(([file, content]) => ({ file, content }))),
                healthcheck: {
                    tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"],
                    interval: "10s",
                    timeout: "10s",
                    retries: 12,
                    startPeriod: "20s",
                },
                // The health check is for `docker ps`; what the deploy waits for is `ready` below,
                // which ends when RabbitMQ listens instead of at the check's next 10 s tick.
                restart: args.restartPolicy,
                destroyGraceSeconds: brokerStopSeconds,
                labels: ownerLabels(),
            },
            { parent: this, ...namedContainerOptions },
        );
        // PARWOP connects at start-up, so what depends on the broker waits for this.
        const step = brokerReadyStep(args.containerName, brokerReadySeconds);
        this.ready = nodeCommand(
            `${name}-ready`,
            args.access,
            { ...step, triggers: [{ container: this.container.id }] },
            { parent: this, dependsOn: [this.container] },
        );
        this.registerOutputs({ container: this.container, adminPassword: this.adminPassword, ready: this.ready });
    }
}

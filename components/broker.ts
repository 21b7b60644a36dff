import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderBrokerFiles } from "../lib/brokerFiles";
import { namedContainerOptions, ownerLabels } from "../lib/parwopContainer";

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
}

/** RabbitMQ for PARWOP's result notifications, on the coordinator's node. */
export class Broker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
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
                // `up` returns only once the broker answers, so PARWOP never starts against a dead broker.
                wait: true,
                waitTimeout: 180,
                restart: args.restartPolicy,
                destroyGraceSeconds: 30,
                labels: ownerLabels(),
            },
            { parent: this, ...namedContainerOptions },
        );
        this.registerOutputs({ container: this.container, adminPassword: this.adminPassword });
    }
}

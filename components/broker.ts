import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderBrokerFiles } from "../lib/brokerFiles";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { containerArgs, namedContainerOptions } from "../lib/container";
import { render } from "../lib/scripts";
import { ContainerSpec } from "../model/containers";
import { childNames } from "../model/names";
import { BashStep } from "../model/steps";

export { brokerStopSeconds } from "../model/containers";
export { brokerReadySeconds } from "../model/timeouts";

export interface BrokerArgs {
    /** Image that behaves like the official rabbitmq:3.10-management (reads conf.d, has rabbitmq-diagnostics). */
    image: string;
    /** The container's exact arguments (model/containers.ts brokerContainer): guest's AMQP port and the admin's management port published. */
    container: ContainerSpec;
    /** Management administrator's user name. */
    adminUser: string;
    /** Administrator password (a Pulumi secret); generated when omitted. */
    adminPassword?: pulumi.Input<string>;
    /** The broker's node, where the readiness wait runs (its command provider comes from opts). */
    access: NodeAccess;
    /** The wait until RabbitMQ accepts AMQP in its container (model/steps.ts brokerReadyStep). */
    ready: BashStep;
}

/** RabbitMQ for PARWOP's result notifications, on the coordinator's node. */
export class Broker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** Passes once RabbitMQ accepts AMQP connections in its container. */
    public readonly ready: command.local.Command;
    /** The management administrator's password, always a secret. */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: BrokerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Broker", name, {}, opts);
        const names = childNames(name);
        this.adminPassword = pulumi.secret(
            args.adminPassword ?? new random.RandomPassword(names.adminPassword, { length: 24, special: false }, { parent: this }).result,
        );
        const image = new docker.RemoteImage(names.image, { name: args.image, keepLocally: true }, { parent: this });
        const files = this.adminPassword.apply((password) => renderBrokerFiles(args.adminUser, password));
        // The definitions hold the admin's password hash: secret in state, uploaded before start.
        const uploads = files.apply((f) => Object.entries(f).map(([file, content]) => ({ file, content })));
        this.container = new docker.Container(names.container, containerArgs(args.container, image.imageId, uploads), {
            parent: this,
            ...namedContainerOptions,
        });
        // PARWOP connects at start-up, so what depends on the broker waits for this.
        const ready = { ...render(args.ready), triggers: [{ container: this.container.id }] };
        this.ready = nodeCommand(names.ready, args.access, ready, { parent: this, dependsOn: [this.container] });
        this.registerOutputs({ container: this.container, adminPassword: this.adminPassword, ready: this.ready });
    }
}

import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, Experiment } from "./components";
import { provenance } from "./config/provenance";
import { projectRoot, stackSecrets, stackSettings } from "./config/stack";

// Config first: every user mistake is reported here, before any resource is registered.
const settings = stackSettings();
const secrets = stackSecrets();
const stack = pulumi.getStack();

const cluster = new Cluster("parwop", { settings, ...secrets });

const experiment = new Experiment(
    "experiment",
    {
        settings,
        access: cluster.access,
        clusterIds: cluster.containerIds(),
        after: [cluster.healthGate],
        provenance: provenance(stack, settings),
        resultsDir: path.join("results", stack),
        projectRoot,
    },
    { providers: [cluster.commandProvider] },
);

export const tier = {
    name: settings.tier.name,
    memoryMiB: settings.tier.memoryMiB,
    cpus: settings.tier.cpus,
    queryMemoryRecords: settings.tier.queryMemoryRecords,
};
export const coordinatorUrl = settings.coordinator.url;
export const brokerAmqpUrl = `amqp://${settings.broker.node.address}:${settings.broker.amqpPort}`;
export const brokerManagementUrl = `http://${settings.broker.node.address}:${settings.broker.managementPort}`;
export const brokerAdminUser = settings.broker.adminUser;
export const brokerAdminPassword = cluster.broker.adminPassword;
export const workers = Object.fromEntries(settings.nodes.map((n) => [n.workerId, n.workerUrl]));
export const results = experiment.results;

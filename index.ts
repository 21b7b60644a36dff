import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, Experiment } from "./components";
import { projectRoot, stackSecrets, stackSettings } from "./config/stack";
import { readAttemptLog } from "./lib/attemptLog";
import { scriptDigests } from "./lib/scripts";
import { withAttempts } from "./model/attempts";
import { clusterName, experimentName } from "./model/names";
import { placement } from "./model/placement";
import { provenance } from "./model/provenance";
import { schedule } from "./model/schedule";
import { amqpUrl, httpUrl } from "./model/urls";

// Config first: every user mistake is reported here, before any resource is registered.
const settings = stackSettings();
const stack = pulumi.getStack();
// Then plain data: which container goes where, and the runs in order, each with the attempt
// this up makes of it (a retry when the last attempt left no record on this machine).
const where = placement(settings);
const scripts = scriptDigests();
const resultsDir = path.join("results", stack);
const runs = withAttempts(schedule(settings, where, scripts), readAttemptLog(path.join(projectRoot, resultsDir)));

const cluster = new Cluster(clusterName, { settings, placement: where, ...stackSecrets() });
const experiment = new Experiment(experimentName, {
    cluster,
    runs,
    provenance: provenance(stack, settings, scripts),
    rerunOnRedeploy: settings.experiment.rerunOnRedeploy,
    runTimeoutSeconds: settings.experiment.runTimeoutSeconds,
    resultsDir,
    projectRoot,
});

export const tier = {
    name: settings.tier.name,
    memoryMiB: settings.tier.memoryMiB,
    cpus: settings.tier.cpus,
    queryMemoryRecords: settings.tier.queryMemoryRecords,
};
export const coordinatorUrl = where.coordinator.url;
export const brokerAmqpUrl = amqpUrl(where.broker.host, settings.broker.amqpPort);
export const brokerManagementUrl = httpUrl(where.broker.host, settings.broker.managementPort);
export const brokerAdminUser = settings.broker.adminUser;
export const brokerAdminPassword = cluster.broker.adminPassword;
export const workers = Object.fromEntries(where.workers.map((w) => [w.node.workerId, w.url]));
export const results = experiment.results;

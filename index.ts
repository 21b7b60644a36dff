import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, Experiment } from "./components";
import { projectRoot, stackSecrets } from "./config/stack";
import { readAttemptLog } from "./lib/attemptLog";
import { scriptDigests } from "./lib/scripts";
import { declare } from "./model/declare";
import { stackSettings } from "./model/load";

// Config first: every user mistake is reported here, before any resource is registered.
const settings = stackSettings();
const stack = pulumi.getStack();
const resultsDir = path.join("results", stack);
// Then plain data: every resource's arguments, where it goes, and the runs in order, each with
// the attempt this up makes of it (a retry when the last attempt left no record on this machine).
// A clash of names or ports on a host is a config error here, still before anything is registered.
const declared = declare(settings, {
    stack,
    scripts: scriptDigests(),
    attempts: readAttemptLog(path.join(projectRoot, resultsDir)),
});

const cluster = new Cluster(declared.names.cluster, { declaration: declared, ...stackSecrets() });
const experiment = new Experiment(declared.names.experiment, {
    cluster,
    runs: declared.runs,
    runnerNode: declared.runnerNode,
    provenance: declared.provenance,
    rerunOnRedeploy: settings.experiment.rerunOnRedeploy,
    resultsDir,
    projectRoot,
});

export const tier = declared.outputs.tier;
export const coordinatorUrl = declared.outputs.coordinatorUrl;
export const brokerAmqpUrl = declared.outputs.brokerAmqpUrl;
export const brokerManagementUrl = declared.outputs.brokerManagementUrl;
export const brokerAdminUser = declared.outputs.brokerAdminUser;
export const brokerAdminPassword = cluster.broker.adminPassword;
export const workers = declared.outputs.workers;
export const results = experiment.results;
